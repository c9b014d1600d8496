// FrameParser: validates an Ethernet frame's header (length, addresses, 802.1Q tag) without copying it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/mac_address.h"

namespace tern::net {

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;

enum class FrameError : uint8_t {
  kNone = 0,
  kTruncated,        // shorter than an Ethernet header (or a VLAN tag that is cut off)
  kOversized,        // longer than the network allows
  kMulticastSource,  // a group address as source: no switch may learn or forward it
  kZeroSource,       // 00:00:00:00:00:00 as source
};
std::string_view FrameErrorName(FrameError e);

struct FrameInfo {
  MacAddress dst;
  MacAddress src;
  uint16_t ether_type = 0;  // after an 802.1Q tag, if any
  uint16_t vlan = 0;        // 0 = untagged
  size_t header_size = kEthernetHeaderSize;
};

// Parses `frame`; `max_size` is the largest frame accepted (the network's MTU plus headers). Returns kNone
// and fills `info` on success.
FrameError ParseFrame(std::span<const uint8_t> frame, size_t max_size, FrameInfo& info);

}  // namespace tern::net
