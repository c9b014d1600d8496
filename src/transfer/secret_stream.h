// SecretStreamPush / SecretStreamPull: one direction of a channel's record encryption — libsodium's
// crypto_secretstream_xchacha20poly1305, which authenticates every record, keeps them in order (a dropped,
// repeated or reordered record fails to decrypt) and marks the last one with a final tag.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace tern::transfer {

inline constexpr size_t kStreamKeySize = crypto_secretstream_xchacha20poly1305_KEYBYTES;
inline constexpr size_t kStreamHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
inline constexpr size_t kRecordOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;

using StreamKey = std::array<uint8_t, kStreamKeySize>;
using StreamHeader = std::array<uint8_t, kStreamHeaderSize>;

class SecretStreamPush {
 public:
  // Starts a stream under `key`; `header` is what the puller needs (sent in the clear).
  SecretStreamPush(const StreamKey& key, StreamHeader& header);
  // Appends the ciphertext of `plain` (plain.size() + kRecordOverhead bytes) to `out`.
  void Seal(std::span<const uint8_t> plain, bool final, std::vector<uint8_t>& out);

 private:
  crypto_secretstream_xchacha20poly1305_state state_{};
};

class SecretStreamPull {
 public:
  SecretStreamPull(const StreamKey& key, const StreamHeader& header);
  // Decrypts one record into `plain` (replacing it) and reports whether it was final. InvalidArgument when it
  // does not authenticate (tampered, truncated, reordered, or another key).
  Result<bool> Open(std::span<const uint8_t> cipher, std::vector<uint8_t>& plain);

 private:
  crypto_secretstream_xchacha20poly1305_state state_{};
  bool valid_ = false;
  uint64_t records_ = 0;
};

}  // namespace tern::transfer
