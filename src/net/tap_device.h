// TapDevice: a Linux TAP interface opened for a host-side endpoint, with the virtio-net header and
// checksum/TSO offloads so that one 64 KiB TCP segment crosses the daemon in one read.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"
#include "net/unique_fd.h"

namespace tern::net {

class TapDevice {
 public:
  // Creates the TAP `name` or attaches to an existing one. With `offloads`, enables IFF_VNET_HDR and
  // TUN_F_CSUM|TSO4|TSO6|TSO_ECN. Sets the MTU (0: leave it) and brings the link up.
  static Result<TapDevice> Open(const std::string& name, bool offloads, int mtu);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool vnet_hdr() const { return vnet_hdr_; }
  // Reads one frame (with its virtio-net header when vnet_hdr()); 0 when none is pending, -errno on error.
  ssize_t Read(uint8_t* buf, size_t size);
  // Writes one frame; `vnet` is written first when vnet_hdr() (10 bytes). Returns false on error.
  bool Write(const uint8_t* vnet, std::span<const uint8_t> frame);

 private:
  UniqueFd fd_;
  std::string name_;
  bool vnet_hdr_ = false;
};

}  // namespace tern::net
