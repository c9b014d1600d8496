// Unit tests of reading what a drive holds (on regular files standing in for devices) and of recognizing
// CD-ROM uevents.
#include "guest/drive_source.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "guest/uevent_listener.h"
#include "temp_tree.h"

namespace tern::guest {
namespace {

using testing::TempTree;

TEST(DriveSourceTest, ReadsTheVolumeDescriptorAndTellsDiscsApart) {
  TempTree t;
  std::string a(40 * 2048, '\0');
  a.replace(16 * 2048, 5, "CD001");
  std::string b = a;
  b[16 * 2048 + 40] = 'B';  // another volume label
  t.File("a.iso", a);
  t.File("b.iso", b);
  const MediaReading ra = SysDriveSource::ReadMedia(t / "a.iso");
  const MediaReading rb = SysDriveSource::ReadMedia(t / "b.iso");
  EXPECT_EQ(ra.status, MediaStatus::kPresent);
  EXPECT_NE(ra.digest, 0U);
  EXPECT_NE(ra.digest, rb.digest);
  EXPECT_EQ(SysDriveSource::ReadMedia(t / "a.iso"), ra);
}

TEST(DriveSourceTest, ShortAndMissingMediaAreUnreadable) {
  TempTree t;
  t.File("short.iso", std::string(4096, 'x'));  // ends before sector 16
  const MediaReading s = SysDriveSource::ReadMedia(t / "short.iso");
  EXPECT_EQ(s.status, MediaStatus::kUnreadable);
  EXPECT_EQ(s.error, EIO);
  const MediaReading m = SysDriveSource::ReadMedia(t / "nothing");
  EXPECT_EQ(m.status, MediaStatus::kUnreadable);
  EXPECT_EQ(m.error, ENOENT);
}

TEST(DriveSourceTest, ListsOnlyCdromDrivesSorted) {
  TempTree t;
  for (const char* d : {"sr1", "vda", "sr0", "loop0", "sr10"}) t.Dir(std::string("block/") + d);
  SysDriveSource src(t / "block", t / "dev");
  EXPECT_EQ(src.Drives(), (std::vector<std::string>{"sr0", "sr1", "sr10"}));
  EXPECT_TRUE(SysDriveSource(t / "missing", t / "dev").Drives().empty());
}

TEST(UeventTest, RecognizesCdromBlockEvents) {
  using namespace std::string_literals;
  EXPECT_TRUE(IsCdromUevent(
      "change@/devices/pci0000:00/0000:00:04.0/virtio1/host2/target2:0:0/2:0:0:0/block/sr0\0ACTION=change\0"
      "SUBSYSTEM=block\0DISK_MEDIA_CHANGE=1\0DEVNAME=sr0\0DEVTYPE=disk\0"s));
  EXPECT_FALSE(
      IsCdromUevent("add@/devices/virtual/block/loop3\0ACTION=add\0SUBSYSTEM=block\0DEVNAME=loop3\0"s));
  EXPECT_FALSE(IsCdromUevent("add@/module/sr_mod\0ACTION=add\0SUBSYSTEM=module\0"s));
  EXPECT_FALSE(IsCdromUevent("garbage without fields"));
  EXPECT_FALSE(IsCdromUevent(""));
}

}  // namespace
}  // namespace tern::guest
