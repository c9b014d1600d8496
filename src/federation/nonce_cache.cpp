#include "federation/nonce_cache.h"

namespace tern::federation {

void NonceCache::Expire(int64_t now) {
  while (!expiry_.empty() && expiry_.begin()->first < now) {
    live_.erase(expiry_.begin()->second);
    expiry_.erase(expiry_.begin());
  }
}

NonceCache::Outcome NonceCache::Insert(std::string_view key_id, std::string_view nonce, int64_t created,
                                       int64_t now) {
  std::lock_guard lock(mu_);
  Expire(now);
  std::pair<std::string, std::string> entry{std::string(key_id), std::string(nonce)};
  if (live_.contains(entry)) return Outcome::kReplayed;
  if (live_.size() >= capacity_) return Outcome::kFull;
  live_.insert(entry);
  expiry_.emplace(created + window_, std::move(entry));
  return Outcome::kFresh;
}

size_t NonceCache::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

}  // namespace tern::federation
