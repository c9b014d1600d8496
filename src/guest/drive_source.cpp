#include "guest/drive_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/cdrom.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

#include "guest/manifest.h"
#include "guest/unique_fd.h"

namespace tern::guest {
namespace {

// The errors of a drive without a disc (ENOMEDIUM; some drivers answer ENXIO while the tray is open).
bool IsNoMedium(int err) {
  return err == ENOMEDIUM || err == ENXIO;
}

}  // namespace

std::vector<std::string> SysDriveSource::Drives() {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(sys_block_.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (std::strncmp(e->d_name, "sr", 2) == 0) out.emplace_back(e->d_name);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

MediaReading SysDriveSource::ReadMedia(const std::string& device) {
  MediaReading r;
  const UniqueFd fd(::open(device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (IsNoMedium(errno)) return r;
    r.status = MediaStatus::kUnreadable;
    r.error = errno;
    return r;
  }
  // A CD-ROM drive says whether it holds a disc (an empty one fails reads with EIO, like a broken disc).
  // Other files (tests, images) do not know the ioctl and are read.
  const int drive_status = ::ioctl(fd.get(), CDROM_DRIVE_STATUS, CDSL_CURRENT);
  if (drive_status == CDS_NO_DISC || drive_status == CDS_TRAY_OPEN) return r;
  std::array<char, 2048> pvd{};
  const ssize_t n = ::pread(fd.get(), pvd.data(), pvd.size(), 16 * 2048);
  if (n != static_cast<ssize_t>(pvd.size())) {
    const int err = n < 0 ? errno : EIO;  // a short read: the disc ends before sector 17
    if (IsNoMedium(err)) return r;
    r.status = MediaStatus::kUnreadable;
    r.error = err;
    return r;
  }
  r.status = MediaStatus::kPresent;
  r.digest = HashBytes(pvd.data(), pvd.size());
  if (r.digest == 0) r.digest = 1;
  return r;
}

}  // namespace tern::guest
