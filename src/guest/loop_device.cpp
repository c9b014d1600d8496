#include "guest/loop_device.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace tern::guest {

Result<LoopDevice> LoopDevice::Attach(int backing_fd, const std::string& what) {
  const UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control.valid()) {
    return Status::Unavailable(
        what + ": cannot open /dev/loop-control (loop module not loaded?): " + std::strerror(errno));
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int n = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (n < 0) return Status::IoError(what + ": no free loop device: " + std::strerror(errno));
    LoopDevice dev;
    dev.path_ = "/dev/loop" + std::to_string(n);
    dev.fd_.Reset(::open(dev.path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!dev.fd_.valid())
      return Status::IoError(what + ": cannot open " + dev.path_ + ": " + std::strerror(errno));
    loop_config config{};
    config.fd = static_cast<uint32_t>(backing_fd);
    config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
    if (::ioctl(dev.fd_.get(), LOOP_CONFIGURE, &config) == 0) return dev;
    if (errno != EBUSY) {
      return Status::IoError(what + ": cannot attach " + dev.path_ + ": " + std::strerror(errno));
    }
    // Someone else took this device between GET_FREE and CONFIGURE: ask again.
  }
  return Status::Unavailable(what + ": loop devices kept being taken by others");
}

}  // namespace tern::guest
