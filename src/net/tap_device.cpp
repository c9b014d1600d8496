#include "net/tap_device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "net/vnet_header.h"

namespace tern::net {

Result<TapDevice> TapDevice::Open(const std::string& name, bool offloads, int mtu) {
  const std::string what = "tap '" + name + "'";
  if (name.empty() || name.size() >= IFNAMSIZ)
    return Status::InvalidArgument(what + ": name must be 1..15 characters");
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return Status::IoError(what + ": open /dev/net/tun: " + std::strerror(errno));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0);
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
    return Status::IoError(what + ": TUNSETIFF: " + std::strerror(errno) + " (needs CAP_NET_ADMIN)");
  }
  TapDevice t;
  t.name_ = ifr.ifr_name;
  if (offloads) {
    int hdr = static_cast<int>(kVnetHdrSize);
    if (::ioctl(fd.get(), TUNSETVNETHDRSZ, &hdr) != 0) {
      return Status::IoError(what + ": TUNSETVNETHDRSZ: " + std::strerror(errno));
    }
    const unsigned flags = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    if (::ioctl(fd.get(), TUNSETOFFLOAD, flags) != 0) {
      return Status::IoError(what + ": TUNSETOFFLOAD: " + std::strerror(errno));
    }
    t.vnet_hdr_ = true;
  }
  UniqueFd ctl(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!ctl.valid()) return Status::IoError(what + ": socket: " + std::strerror(errno));
  ifreq req{};
  std::strncpy(req.ifr_name, t.name_.c_str(), IFNAMSIZ - 1);
  if (mtu > 0) {
    req.ifr_mtu = mtu;
    if (::ioctl(ctl.get(), SIOCSIFMTU, &req) != 0) {
      return Status::IoError(what + ": set MTU " + std::to_string(mtu) + ": " + std::strerror(errno));
    }
  }
  if (::ioctl(ctl.get(), SIOCGIFFLAGS, &req) != 0) {
    return Status::IoError(what + ": SIOCGIFFLAGS: " + std::strerror(errno));
  }
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  if (::ioctl(ctl.get(), SIOCSIFFLAGS, &req) != 0) {
    return Status::IoError(what + ": set up: " + std::strerror(errno));
  }
  t.fd_ = std::move(fd);
  return t;
}

ssize_t TapDevice::Read(uint8_t* buf, size_t size) {
  const ssize_t n = ::read(fd_.get(), buf, size);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  return n;
}

bool TapDevice::Write(const uint8_t* vnet, std::span<const uint8_t> frame) {
  uint8_t zero[kVnetHdrSize] = {};
  iovec iov[2];
  int n = 0;
  if (vnet_hdr_) iov[n++] = iovec{const_cast<uint8_t*>(vnet != nullptr ? vnet : zero), kVnetHdrSize};
  iov[n++] = iovec{const_cast<uint8_t*>(frame.data()), frame.size()};
  return ::writev(fd_.get(), iov, n) >= 0;
}

}  // namespace tern::net
