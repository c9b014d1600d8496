#include "daemon/domain_files.h"

#include <gtest/gtest.h>

namespace tern::daemon {
namespace {

constexpr const char* kXml = R"(<domain type='qemu'>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/data/web1/disk.qcow2' index='2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/data/web1/service-g1.iso'/>
      <target dev='sda' bus='scsi'/>
    </disk>
    <serial type='file'>
      <source path='/data/web1/serial.log' append='on'/>
    </serial>
  </devices>
</domain>)";

TEST(DomainFilesTest, FindsDisksAndSerialLog) {
  auto disks = ListFileDisks(kXml);
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].path, "/data/web1/disk.qcow2");
  EXPECT_EQ(disks[0].format, "qcow2");
  EXPECT_EQ(SerialLogPath(kXml), "/data/web1/serial.log");
  EXPECT_EQ(SerialLogPath("<domain/>"), "");
}

TEST(DomainFilesTest, RewritesExactAttributeValuesOnly) {
  const std::string out = RewritePaths(kXml, {{"/data/web1/service-g1.iso", "/d2/web1/service-g1.iso"},
                                              {"/data/web1/serial.log", "/d2/web1/serial.log"},
                                              {"/data/web1", "/nope"}});
  EXPECT_NE(out.find("file='/d2/web1/service-g1.iso'"), std::string::npos);
  EXPECT_NE(out.find("path='/d2/web1/serial.log'"), std::string::npos);
  EXPECT_NE(out.find("file='/data/web1/disk.qcow2'"), std::string::npos);  // not mapped: unchanged
  EXPECT_EQ(out.find("/nope"), std::string::npos);                         // a prefix is not a value
}

}  // namespace
}  // namespace tern::daemon
