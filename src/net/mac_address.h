// MacAddress: a 48-bit Ethernet address as a value type (hashable, printable, broadcast/multicast tests).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tern::net {

struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  static MacAddress FromBytes(const uint8_t* p) {
    MacAddress m;
    std::memcpy(m.bytes.data(), p, 6);
    return m;
  }
  // "52:54:00:12:34:56" (also with '-'); nullopt when malformed.
  static std::optional<MacAddress> Parse(std::string_view text);
  static MacAddress Broadcast() { return MacAddress{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }

  // Group addresses (broadcast included) have the I/G bit set in the first octet.
  [[nodiscard]] bool IsMulticast() const { return (bytes[0] & 0x01) != 0; }
  [[nodiscard]] bool IsBroadcast() const { return *this == Broadcast(); }
  [[nodiscard]] bool IsZero() const { return *this == MacAddress{}; }
  [[nodiscard]] uint64_t ToU64() const {
    uint64_t v = 0;
    for (uint8_t b : bytes) v = (v << 8) | b;
    return v;
  }
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace tern::net

template <>
struct std::hash<tern::net::MacAddress> {
  size_t operator()(const tern::net::MacAddress& m) const noexcept {
    uint64_t v = m.ToU64();
    v ^= v >> 29;
    v *= 0xbf58476d1ce4e5b9ULL;
    v ^= v >> 32;
    return static_cast<size_t>(v);
  }
};
