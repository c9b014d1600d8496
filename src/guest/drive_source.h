// DriveSource: the CD-ROM drives of the machine and what each one holds, read the way the kernel notices a
// media change (opening the drive) and told apart by the disc's primary volume descriptor (sector 16).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tern::guest {

enum class MediaStatus {
  kEmpty,       // no disc (or the drive reports no medium)
  kPresent,     // a disc whose sector 16 could be read
  kUnreadable,  // the drive or the disc fails to open or read (error holds errno)
};

struct MediaReading {
  MediaStatus status = MediaStatus::kEmpty;
  uint64_t digest = 0;  // kPresent: hash of sector 16 (never 0)
  int error = 0;        // kUnreadable: errno
  bool operator==(const MediaReading&) const = default;
};

class DriveSource {
 public:
  virtual ~DriveSource() = default;
  // Names of the drives present now ("sr0", "sr1", ...), sorted.
  virtual std::vector<std::string> Drives() = 0;
  virtual MediaReading Read(const std::string& drive) = 0;
};

// The real drives: names from `sys_block` (entries "sr*"), devices in `dev_dir`.
class SysDriveSource : public DriveSource {
 public:
  SysDriveSource(std::string sys_block, std::string dev_dir)
      : sys_block_(std::move(sys_block)), dev_dir_(std::move(dev_dir)) {}
  std::vector<std::string> Drives() override;
  MediaReading Read(const std::string& drive) override { return ReadMedia(dev_dir_ + "/" + drive); }

  // Opens `device` (which makes the kernel check for a media change) and hashes sector 16.
  static MediaReading ReadMedia(const std::string& device);

 private:
  std::string sys_block_;
  std::string dev_dir_;
};

}  // namespace tern::guest
