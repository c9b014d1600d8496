// TokenRegistry: issues transfer tokens and redeems them when a partner proxy opens a channel, refusing
// malformed, unknown, wrong-peer, reused and expired tokens with distinct errors; keeps each transfer's
// outcome so the Source can answer the protocol's "Transfer verification". Thread-safe; time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "transfer/transfer_token.h"

namespace tern::transfer {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class RedeemError { kNone = 0, kMalformed, kUnknown, kWrongPeer, kReused, kExpired };
std::string_view RedeemErrorName(RedeemError e);

struct Redemption {
  RedeemError error = RedeemError::kNone;
  std::string reason;             // for the refusal sent to the peer; "" when accepted
  Grant grant;                    // when accepted
  uint64_t transfer_id = 0;       // when accepted: identifies the token's transfer in ConnectionClosed
  uint32_t connection_index = 0;  // 0-based: which of grant.connections this channel is

  [[nodiscard]] bool ok() const { return error == RedeemError::kNone; }
};

enum class TransferState { kIssued, kActive, kSucceeded, kFailed, kExpired };
std::string_view TransferStateName(TransferState s);

struct TransferStatus {
  TransferState state = TransferState::kIssued;
  std::string detail;  // the first failure, or a summary
  Grant grant;
  uint32_t connections_opened = 0;
  uint32_t connections_open = 0;
  uint64_t payload_bytes = 0;  // raw bytes moved, both directions
  uint64_t wire_bytes = 0;     // bytes on the channel sockets, both directions
};

class TokenRegistry {
 public:
  // `capacity`: most tokens held at once; `retention`: how long a spent or expired token is remembered (so a
  // late reuse is reported as reused/expired, not unknown, and its outcome can still be verified).
  explicit TokenRegistry(size_t capacity = 10000, std::chrono::seconds retention = std::chrono::minutes(10))
      : capacity_(capacity), retention_(retention) {}

  // Validates the grant and returns a fresh token valid for `ttl` from `now`.
  Result<std::string> Issue(const Grant& grant, std::chrono::milliseconds ttl, TimePoint now);
  // Checks `token` for a channel opened by `peer_site` (authenticated by the handshake) and consumes one of
  // its connections. A refusal changes nothing.
  Redemption Redeem(std::string_view token, std::string_view peer_site, TimePoint now);
  // Records the end of a channel opened by Redeem: `ok` false marks the whole transfer failed with `detail`.
  void ConnectionClosed(uint64_t transfer_id, bool ok, const std::string& detail, uint64_t payload_bytes,
                        uint64_t wire_bytes);
  // The transfer's outcome; NotFound for an unknown (or forgotten) token.
  Result<TransferStatus> StatusOf(std::string_view token, TimePoint now);
  // Makes the token unusable for new channels (a cancelled migration). NotFound if unknown.
  tern::Status Revoke(std::string_view token);

  [[nodiscard]] size_t size() const;

 private:
  struct Entry {
    std::array<uint8_t, kTokenPartSize> verifier{};
    uint64_t id = 0;
    TimePoint expires;
    bool revoked = false;
    TransferStatus status;
  };
  using Selector = std::array<uint8_t, kTokenPartSize>;
  // Drops entries past expiry + retention.
  void Forget(TimePoint now);
  // The entry for `token` if its selector is known and its verifier matches (constant time).
  Entry* Lookup(const TokenSecret& secret);

  const size_t capacity_;
  const std::chrono::seconds retention_;
  mutable std::mutex mu_;
  std::map<Selector, Entry> entries_;
  std::map<uint64_t, Selector> by_id_;
  uint64_t next_id_ = 1;
};

}  // namespace tern::transfer
