// Endpoint: an IPv4 or IPv6 address and UDP port of the underlay (a daemon's listen address, a VM port).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tern::net {

struct Endpoint {
  uint8_t family = 0;  // 4 or 6; 0 = unset
  std::array<uint8_t, 16> addr{};
  uint16_t port = 0;

  // "10.0.0.1:7000", "[fd00::1]:7000".
  static Result<Endpoint> Parse(std::string_view text);
  static Endpoint FromSockaddr(const sockaddr_storage& sa);
  static Endpoint V4(uint32_t host_order_addr, uint16_t port);
  // Fills `sa`; returns its length.
  socklen_t ToSockaddr(sockaddr_storage& sa) const;
  [[nodiscard]] std::string ToString() const;
  [[nodiscard]] bool valid() const { return family == 4 || family == 6; }
  [[nodiscard]] size_t addr_size() const { return family == 6 ? 16 : 4; }

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointHash {
  size_t operator()(const Endpoint& e) const noexcept {
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&](uint8_t b) { h = (h ^ b) * 1099511628211ULL; };
    mix(e.family);
    for (size_t i = 0; i < e.addr_size(); ++i) mix(e.addr[i]);
    mix(static_cast<uint8_t>(e.port >> 8));
    mix(static_cast<uint8_t>(e.port));
    return static_cast<size_t>(h);
  }
};

}  // namespace tern::net
