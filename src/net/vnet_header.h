// The virtio-net header that a TAP with IFF_VNET_HDR (and QEMU's vhost) puts before each frame: checksum and
// segmentation offload metadata (struct virtio_net_hdr, little-endian on the wire of the TAP and between
// daemons).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::net {

inline constexpr size_t kVnetHdrSize = 10;
inline constexpr uint8_t kVnetFlagNeedsCsum = 1;
inline constexpr uint8_t kVnetGsoNone = 0;
inline constexpr uint8_t kVnetGsoTcpV4 = 1;
inline constexpr uint8_t kVnetGsoUdp = 3;
inline constexpr uint8_t kVnetGsoTcpV6 = 4;
inline constexpr uint8_t kVnetGsoEcn = 0x80;

struct VnetHdr {
  uint8_t flags = 0;
  uint8_t gso_type = kVnetGsoNone;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;

  static VnetHdr Load(const uint8_t* p) {
    VnetHdr h;
    h.flags = p[0];
    h.gso_type = p[1];
    h.hdr_len = static_cast<uint16_t>(p[2] | (p[3] << 8));
    h.gso_size = static_cast<uint16_t>(p[4] | (p[5] << 8));
    h.csum_start = static_cast<uint16_t>(p[6] | (p[7] << 8));
    h.csum_offset = static_cast<uint16_t>(p[8] | (p[9] << 8));
    return h;
  }
  void Store(uint8_t* p) const {
    p[0] = flags;
    p[1] = gso_type;
    p[2] = static_cast<uint8_t>(hdr_len);
    p[3] = static_cast<uint8_t>(hdr_len >> 8);
    p[4] = static_cast<uint8_t>(gso_size);
    p[5] = static_cast<uint8_t>(gso_size >> 8);
    p[6] = static_cast<uint8_t>(csum_start);
    p[7] = static_cast<uint8_t>(csum_start >> 8);
    p[8] = static_cast<uint8_t>(csum_offset);
    p[9] = static_cast<uint8_t>(csum_offset >> 8);
  }
  [[nodiscard]] bool is_gso() const { return (gso_type & ~kVnetGsoEcn) != kVnetGsoNone; }
  [[nodiscard]] bool needs_csum() const { return (flags & kVnetFlagNeedsCsum) != 0; }
  [[nodiscard]] bool plain() const { return !is_gso() && !needs_csum(); }
};

}  // namespace tern::net
