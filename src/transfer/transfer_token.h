// Transfer tokens: what a transfer proxy hands out so that exactly one partner site can open exactly the
// transfer it negotiated — bound to a VM, a direction, the peer site and a target inside this site, expiring,
// and usable for a fixed number of channels (1 unless a transfer needs parallel connections). The token text
// is "tt1-" + 64 hex digits: a 128-bit random selector (the lookup key) and a 128-bit random verifier
// (compared in constant time). See docs/protocol.md, "Transfer tokens".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tern::transfer {

// The migration role of the site that issued the token: the Source gives bytes away, the Destination takes
// them in.
enum class Direction : uint8_t { kSource = 1, kDestination = 2 };
// What the channel opened with the token does at the issuing proxy.
enum class GrantKind : uint8_t {
  kConnect = 1,      // relay a byte stream to `target` (IP:PORT inside the issuing site), both directions
  kReceiveFile = 2,  // the peer sends a file; it is written to `target` (an absolute path)
  kSendFile = 3,     // the peer fetches the file at `target` (an absolute path)
};

std::string_view DirectionName(Direction d);
Result<Direction> ParseDirection(std::string_view text);
std::string_view GrantKindName(GrantKind k);
Result<GrantKind> ParseGrantKind(std::string_view text);

struct Grant {
  std::string vm_id;
  Direction direction = Direction::kDestination;
  std::string peer_site;  // the only site that may present the token
  GrantKind kind = GrantKind::kConnect;
  std::string target;
  uint32_t connections = 1;  // how many channels the token may open

  friend bool operator==(const Grant&, const Grant&) = default;
};

// InvalidArgument naming the field: VM id (1..128 of [A-Za-z0-9._-]), peer site name, target form (IP:PORT
// for connect, absolute path for files), connections 1..64, and that receive-file is a destination grant and
// send-file a source grant.
Status ValidateGrant(const Grant& g);

inline constexpr size_t kTokenPartSize = 16;

struct TokenSecret {
  std::array<uint8_t, kTokenPartSize> selector{};
  std::array<uint8_t, kTokenPartSize> verifier{};

  static TokenSecret Random();
  [[nodiscard]] std::string ToString() const;
  // InvalidArgument ("malformed transfer token") without echoing the token text.
  static Result<TokenSecret> Parse(std::string_view text);
};

}  // namespace tern::transfer
