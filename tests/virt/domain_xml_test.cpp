#include "virt/domain_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tern::virt {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DomainSpec KernelBootSpec() {
  DomainSpec spec;
  spec.name = "web1";
  spec.uuid = "4b1e4f3c-7a2d-4c1e-9f00-000000000001";
  spec.memory_mib = 192;
  spec.vcpus = 2;
  spec.kernel = "/g/vmlinuz";
  spec.initrd = "/g/initrd.img";
  spec.cmdline = "console=ttyS0 quiet";
  return spec;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1))
    ++n;
  return n;
}

TEST(DomainXml, KernelBoot) {
  std::string xml = RenderDomainXml(KernelBootSpec());
  EXPECT_THAT(xml, HasSubstr("<domain type='qemu'>"));
  EXPECT_THAT(xml, HasSubstr("<name>web1</name>"));
  EXPECT_THAT(xml, HasSubstr("<uuid>4b1e4f3c-7a2d-4c1e-9f00-000000000001</uuid>"));
  EXPECT_THAT(xml, HasSubstr("<memory unit='MiB'>192</memory>"));
  EXPECT_THAT(xml, HasSubstr("<vcpu>2</vcpu>"));
  EXPECT_THAT(xml, HasSubstr("<type arch='x86_64' machine='pc'>hvm</type>"));
  EXPECT_THAT(xml, HasSubstr("<kernel>/g/vmlinuz</kernel>"));
  EXPECT_THAT(xml, HasSubstr("<initrd>/g/initrd.img</initrd>"));
  EXPECT_THAT(xml, HasSubstr("<cmdline>console=ttyS0 quiet</cmdline>"));
  EXPECT_THAT(xml, Not(HasSubstr("<boot dev=")));
  EXPECT_THAT(xml, Not(HasSubstr("<metadata>")));
  EXPECT_THAT(xml, Not(HasSubstr("<serial")));
  EXPECT_THAT(xml, Not(HasSubstr("controller type='scsi'")));
}

TEST(DomainXml, KvmTypeAndNoKernelBootsFromDisk) {
  DomainSpec spec;
  spec.name = "db";
  spec.domain_type = "kvm";
  spec.disks.push_back({"/var/lib/tern/db.qcow2"});
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<domain type='kvm'>"));
  EXPECT_THAT(xml, HasSubstr("<boot dev='hd'/>"));
  EXPECT_THAT(xml, Not(HasSubstr("<kernel>")));
  EXPECT_THAT(xml, Not(HasSubstr("<uuid>")));
}

TEST(DomainXml, Disks) {
  DomainSpec spec = KernelBootSpec();
  spec.disks.push_back({"/d/root.qcow2", "qcow2", "vda", "virtio"});
  spec.disks.push_back({"/d/data.raw", "raw", "vdb", "virtio"});
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<disk type='file' device='disk'>\n"
                             "      <driver name='qemu' type='qcow2'/>\n"
                             "      <source file='/d/root.qcow2'/>\n"
                             "      <target dev='vda' bus='virtio'/>"));
  EXPECT_THAT(xml, HasSubstr("<driver name='qemu' type='raw'/>\n      <source file='/d/data.raw'/>\n"
                             "      <target dev='vdb' bus='virtio'/>"));
}

TEST(DomainXml, ScsiCdromsGetOneVirtioScsiController) {
  DomainSpec spec = KernelBootSpec();
  spec.cdroms.push_back({"sda", "scsi", "/ctx/service.iso"});
  spec.cdroms.push_back({"sdb", "scsi", "/ctx/infra.iso"});
  std::string xml = RenderDomainXml(spec);
  EXPECT_EQ(Count(xml, "<controller type='scsi' index='0' model='virtio-scsi'/>"), 1u);
  EXPECT_THAT(xml, HasSubstr("<disk type='file' device='cdrom'>\n"
                             "      <driver name='qemu' type='raw'/>\n"
                             "      <source file='/ctx/service.iso'/>\n"
                             "      <target dev='sda' bus='scsi'/>\n"
                             "      <readonly/>\n"
                             "    </disk>"));
  EXPECT_THAT(xml, HasSubstr("<target dev='sdb' bus='scsi'/>"));
}

TEST(DomainXml, IdeCdromHasNoScsiController) {
  DomainSpec spec = KernelBootSpec();
  spec.cdroms.push_back({"hdc", "ide", "/ctx/a.iso"});
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<target dev='hdc' bus='ide'/>"));
  EXPECT_THAT(xml, Not(HasSubstr("controller type='scsi'")));
}

TEST(DomainXml, EmptyTrayHasNoSource) {
  DomainSpec spec = KernelBootSpec();
  spec.cdroms.push_back({"sda", "scsi", ""});
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("device='cdrom'"));
  EXPECT_THAT(xml, Not(HasSubstr("<source file=")));
}

TEST(DomainXml, Nics) {
  DomainSpec spec = KernelBootSpec();
  NicSpec net;
  net.mac = "52:54:00:00:00:01";
  spec.nics.push_back(net);
  NicSpec user;
  user.type = "user";
  user.model = "e1000";
  spec.nics.push_back(user);
  NicSpec udp;
  udp.type = "udp";
  udp.local_port = 40001;
  udp.remote_port = 40000;
  udp.remote_address = "10.0.0.2";
  spec.nics.push_back(udp);
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<interface type='network'>\n"
                             "      <mac address='52:54:00:00:00:01'/>\n"
                             "      <source network='default'/>\n"
                             "      <model type='virtio'/>\n"
                             "    </interface>"));
  EXPECT_THAT(xml, HasSubstr("<interface type='user'>\n      <model type='e1000'/>\n    </interface>"));
  EXPECT_THAT(xml, HasSubstr("<interface type='udp'>\n"
                             "      <source address='10.0.0.2' port='40000'>\n"
                             "        <local address='127.0.0.1' port='40001'/>\n"
                             "      </source>\n"
                             "      <model type='virtio'/>\n"
                             "    </interface>"));
}

TEST(DomainXml, SerialLogAppendsAndHasConsole) {
  DomainSpec spec = KernelBootSpec();
  spec.serial_log = "/var/log/tern/web1.log";
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<serial type='file'>\n"
                             "      <source path='/var/log/tern/web1.log' append='on'/>\n"
                             "      <target port='0'/>\n"
                             "    </serial>"));
  EXPECT_THAT(xml, HasSubstr("<console type='file'>\n"
                             "      <source path='/var/log/tern/web1.log' append='on'/>\n"
                             "      <target type='serial' port='0'/>\n"
                             "    </console>"));
}

TEST(DomainXml, Metadata) {
  DomainSpec spec = KernelBootSpec();
  spec.metadata["vm-id"] = "vm-42";
  spec.metadata["site"] = "north";
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<metadata>\n"
                             "    <tern:vm xmlns:tern=\"https://tern.invalid/xmlns/vm/1\">\n"
                             "      <tern:site>north</tern:site>\n"
                             "      <tern:vm-id>vm-42</tern:vm-id>\n"
                             "    </tern:vm>\n"
                             "  </metadata>"));
}

TEST(DomainXml, EscapesEverything) {
  DomainSpec spec = KernelBootSpec();
  spec.name = "a<b&c\"d'e";
  spec.cmdline = "x=\"1\" y<2 & z>3";
  spec.metadata["owner"] = "<Tom & \"Jerry\">";
  spec.cdroms.push_back({"sda", "scsi", "/iso/it's&<>.iso"});
  spec.serial_log = "/log/a'b.log";
  std::string xml = RenderDomainXml(spec);
  EXPECT_THAT(xml, HasSubstr("<name>a&lt;b&amp;c&quot;d&apos;e</name>"));
  EXPECT_THAT(xml, HasSubstr("<cmdline>x=&quot;1&quot; y&lt;2 &amp; z&gt;3</cmdline>"));
  EXPECT_THAT(xml, HasSubstr("<tern:owner>&lt;Tom &amp; &quot;Jerry&quot;&gt;</tern:owner>"));
  EXPECT_THAT(xml, HasSubstr("<source file='/iso/it&apos;s&amp;&lt;&gt;.iso'/>"));
  EXPECT_THAT(xml, HasSubstr("<source path='/log/a&apos;b.log' append='on'/>"));
  EXPECT_THAT(xml, Not(HasSubstr("a<b")));
}

TEST(DomainXml, CdromDeviceXml) {
  EXPECT_EQ(RenderCdromXml({"sdb", "scsi", "/ctx/new.iso"}),
            "<disk type='file' device='cdrom'>\n"
            "  <driver name='qemu' type='raw'/>\n"
            "  <source file='/ctx/new.iso'/>\n"
            "  <target dev='sdb' bus='scsi'/>\n"
            "  <readonly/>\n"
            "</disk>\n");
  EXPECT_EQ(RenderCdromXml({"hdc", "ide", ""}),
            "<disk type='file' device='cdrom'>\n"
            "  <driver name='qemu' type='raw'/>\n"
            "  <target dev='hdc' bus='ide'/>\n"
            "  <readonly/>\n"
            "</disk>\n");
}

TEST(DomainSpecValidation, AcceptsAGoodSpec) {
  DomainSpec spec = KernelBootSpec();
  spec.cdroms.push_back({"hdc", "ide", "/a.iso"});
  spec.cdroms.push_back({"sda", "scsi", ""});
  NicSpec udp;
  udp.type = "udp";
  udp.local_port = 1;
  udp.remote_port = 2;
  spec.nics.push_back(udp);
  spec.metadata["vm-id"] = "x";
  EXPECT_TRUE(ValidateDomainSpec(spec).ok()) << ValidateDomainSpec(spec).ToString();
}

TEST(DomainSpecValidation, RejectsWithTheDomainAndField) {
  DomainSpec spec = KernelBootSpec();
  spec.domain_type = "xen";
  Status s = ValidateDomainSpec(spec);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("web1"));
  EXPECT_THAT(s.message(), HasSubstr("xen"));

  spec = KernelBootSpec();
  spec.machine = "q35";
  spec.cdroms.push_back({"hdc", "ide", ""});
  EXPECT_THAT(ValidateDomainSpec(spec).message(), HasSubstr("q35"));

  spec = KernelBootSpec();
  NicSpec udp;
  udp.type = "udp";
  spec.nics.push_back(udp);
  EXPECT_THAT(ValidateDomainSpec(spec).message(), HasSubstr("udp"));

  spec = KernelBootSpec();
  spec.metadata["1bad key"] = "x";
  EXPECT_THAT(ValidateDomainSpec(spec).message(), HasSubstr("1bad key"));

  spec = KernelBootSpec();
  spec.name.clear();
  EXPECT_EQ(ValidateDomainSpec(spec).code(), StatusCode::kInvalidArgument);

  spec = KernelBootSpec();
  NicSpec tap;
  tap.type = "tap";
  spec.nics.push_back(tap);
  EXPECT_THAT(ValidateDomainSpec(spec).message(), HasSubstr("tap"));
}

}  // namespace
}  // namespace tern::virt
