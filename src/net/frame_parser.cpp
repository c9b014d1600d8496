#include "net/frame_parser.h"

namespace tern::net {

std::string_view FrameErrorName(FrameError e) {
  switch (e) {
    case FrameError::kNone:
      return "ok";
    case FrameError::kTruncated:
      return "truncated";
    case FrameError::kOversized:
      return "oversized";
    case FrameError::kMulticastSource:
      return "multicast source address";
    case FrameError::kZeroSource:
      return "zero source address";
  }
  return "unknown";
}

FrameError ParseFrame(std::span<const uint8_t> frame, size_t max_size, FrameInfo& info) {
  if (frame.size() < kEthernetHeaderSize) return FrameError::kTruncated;
  if (frame.size() > max_size) return FrameError::kOversized;
  info.dst = MacAddress::FromBytes(frame.data());
  info.src = MacAddress::FromBytes(frame.data() + 6);
  if (info.src.IsMulticast()) return FrameError::kMulticastSource;
  if (info.src.IsZero()) return FrameError::kZeroSource;
  info.ether_type = static_cast<uint16_t>((frame[12] << 8) | frame[13]);
  info.vlan = 0;
  info.header_size = kEthernetHeaderSize;
  if (info.ether_type == kEtherTypeVlan) {
    if (frame.size() < kEthernetHeaderSize + 4) return FrameError::kTruncated;
    info.vlan = static_cast<uint16_t>(((frame[14] << 8) | frame[15]) & 0x0fff);
    info.ether_type = static_cast<uint16_t>((frame[16] << 8) | frame[17]);
    info.header_size += 4;
  }
  return FrameError::kNone;
}

}  // namespace tern::net
