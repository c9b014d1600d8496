// Software fallback for offloaded frames (virtio_net_hdr with NEEDS_CSUM / TCP GSO) bound for a port that
// cannot take offloads (a VM's UDP port): completes the checksum and segments TCP super-frames into MTU-sized
// frames.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "net/vnet_header.h"

namespace tern::net {

// Calls `emit` with each plain frame; false (nothing or only part emitted) when the frame is malformed or its
// offload is not supported (only TCP over IPv4/IPv6 without extension headers is segmented).
bool ResolveOffloads(const VnetHdr& vnet, std::span<const uint8_t> frame, std::vector<uint8_t>& scratch,
                     const std::function<void(std::span<const uint8_t>)>& emit);

// RFC 1071 one's complement sum over `data`, starting from `initial`, folded to 16 bits (not inverted).
uint16_t OnesComplementSum(std::span<const uint8_t> data, uint32_t initial = 0);

}  // namespace tern::net
