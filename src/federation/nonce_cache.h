// NonceCache: remembers the (key id, nonce) of every accepted signed request until its creation time has left
// the acceptance window, so a replay inside the window is refused and memory stays bounded. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace tern::federation {

class NonceCache {
 public:
  enum class Outcome { kFresh, kReplayed, kFull };

  // `window_seconds`: how far `created` may be from now (the verifier refuses anything older, so older
  // nonces need not be remembered). `capacity`: the most nonces held at once; when full of live nonces new
  // requests are refused (fail closed) rather than forgetting a live nonce.
  NonceCache(int64_t window_seconds, size_t capacity) : window_(window_seconds), capacity_(capacity) {}

  // Records the nonce if it is new; forgets nonces whose created + window < now first.
  Outcome Insert(std::string_view key_id, std::string_view nonce, int64_t created, int64_t now);
  [[nodiscard]] size_t size() const;

 private:
  void Expire(int64_t now);

  const int64_t window_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<std::pair<std::string, std::string>> live_;                  // (key id, nonce)
  std::multimap<int64_t, std::pair<std::string, std::string>> expiry_;  // created + window -> entry
};

}  // namespace tern::federation
