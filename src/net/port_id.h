// PortId: where a frame enters or leaves a network's switch: a local port (TAP, VM) or a peer daemon.
#pragma once

#include <cstdint>
#include <string>

namespace tern::net {

enum class PortKind : uint8_t { kLocal, kPeer };

struct PortId {
  PortKind kind = PortKind::kLocal;
  uint32_t index = 0;

  static PortId Local(uint32_t i) { return {PortKind::kLocal, i}; }
  static PortId Peer(uint32_t i) { return {PortKind::kPeer, i}; }
  [[nodiscard]] bool is_peer() const { return kind == PortKind::kPeer; }
  [[nodiscard]] std::string ToString() const {
    return (kind == PortKind::kPeer ? "peer#" : "local#") + std::to_string(index);
  }
  friend bool operator==(const PortId&, const PortId&) = default;
};

// Monotonic time in nanoseconds; the logic never reads a clock itself, callers pass "now".
using TimeNs = int64_t;
inline constexpr TimeNs kNsPerMs = 1'000'000;
inline constexpr TimeNs kNsPerSec = 1'000'000'000;

}  // namespace tern::net
