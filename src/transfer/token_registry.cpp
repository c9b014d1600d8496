#include "transfer/token_registry.h"

#include <sodium.h>

namespace tern::transfer {

std::string_view RedeemErrorName(RedeemError e) {
  switch (e) {
    case RedeemError::kNone:
      return "ok";
    case RedeemError::kMalformed:
      return "malformed";
    case RedeemError::kUnknown:
      return "unknown";
    case RedeemError::kWrongPeer:
      return "wrong-peer";
    case RedeemError::kReused:
      return "reused";
    case RedeemError::kExpired:
      return "expired";
  }
  return "?";
}

std::string_view TransferStateName(TransferState s) {
  switch (s) {
    case TransferState::kIssued:
      return "issued";
    case TransferState::kActive:
      return "active";
    case TransferState::kSucceeded:
      return "succeeded";
    case TransferState::kFailed:
      return "failed";
    case TransferState::kExpired:
      return "expired";
  }
  return "?";
}

void TokenRegistry::Forget(TimePoint now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.expires + retention_ < now && it->second.status.connections_open == 0) {
      by_id_.erase(it->second.id);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

TokenRegistry::Entry* TokenRegistry::Lookup(const TokenSecret& secret) {
  const auto it = entries_.find(secret.selector);
  if (it == entries_.end()) return nullptr;
  if (sodium_memcmp(it->second.verifier.data(), secret.verifier.data(), kTokenPartSize) != 0) return nullptr;
  return &it->second;
}

Result<std::string> TokenRegistry::Issue(const Grant& grant, std::chrono::milliseconds ttl, TimePoint now) {
  TERN_RETURN_IF_ERROR(ValidateGrant(grant));
  if (ttl <= std::chrono::milliseconds(0)) return Status::InvalidArgument("token lifetime must be positive");
  std::lock_guard lock(mu_);
  Forget(now);
  if (entries_.size() >= capacity_) {
    return Status::Unavailable("transfer proxy holds " + std::to_string(entries_.size()) +
                               " tokens already (its limit); retry when some have expired");
  }
  TokenSecret secret = TokenSecret::Random();
  while (entries_.contains(secret.selector)) secret = TokenSecret::Random();  // 2^-128: for form's sake
  Entry e;
  e.verifier = secret.verifier;
  e.id = next_id_++;
  e.expires = now + ttl;
  e.status.grant = grant;
  by_id_[e.id] = secret.selector;
  entries_.emplace(secret.selector, std::move(e));
  return secret.ToString();
}

Redemption TokenRegistry::Redeem(std::string_view token, std::string_view peer_site, TimePoint now) {
  const auto refuse = [](RedeemError e, std::string reason) {
    Redemption r;
    r.error = e;
    r.reason = std::move(reason);
    return r;
  };
  auto secret = TokenSecret::Parse(token);
  if (!secret.ok()) return refuse(RedeemError::kMalformed, secret.status().message());
  std::lock_guard lock(mu_);
  Entry* e = Lookup(*secret);
  if (e == nullptr) return refuse(RedeemError::kUnknown, "unknown transfer token");
  const Grant& g = e->status.grant;
  if (g.peer_site != peer_site) {
    return refuse(RedeemError::kWrongPeer, "transfer token for VM '" + g.vm_id + "' was issued to site '" +
                                               g.peer_site + "', not to '" + std::string(peer_site) + "'");
  }
  if (e->revoked) return refuse(RedeemError::kReused, "transfer token for VM '" + g.vm_id + "' was revoked");
  if (e->status.connections_opened >= g.connections) {
    return refuse(RedeemError::kReused, "transfer token for VM '" + g.vm_id + "' was already used (" +
                                            std::to_string(e->status.connections_opened) + " of " +
                                            std::to_string(g.connections) + " connections)");
  }
  if (now >= e->expires) {
    const auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - e->expires).count();
    return refuse(RedeemError::kExpired, "transfer token for VM '" + g.vm_id + "' expired " +
                                             std::to_string(ago / 1000) + "." +
                                             std::to_string(ago % 1000 / 100) + " s ago");
  }
  Redemption r;
  r.grant = g;
  r.transfer_id = e->id;
  r.connection_index = e->status.connections_opened;
  ++e->status.connections_opened;
  ++e->status.connections_open;
  if (e->status.state == TransferState::kIssued) e->status.state = TransferState::kActive;
  return r;
}

void TokenRegistry::ConnectionClosed(uint64_t transfer_id, bool ok, const std::string& detail,
                                     uint64_t payload_bytes, uint64_t wire_bytes) {
  std::lock_guard lock(mu_);
  const auto id = by_id_.find(transfer_id);
  if (id == by_id_.end()) return;
  TransferStatus& s = entries_.at(id->second).status;
  if (s.connections_open > 0) --s.connections_open;
  s.payload_bytes += payload_bytes;
  s.wire_bytes += wire_bytes;
  if (!ok && s.state != TransferState::kFailed) {
    s.state = TransferState::kFailed;
    s.detail = detail;
  } else if (ok && s.state == TransferState::kActive && s.connections_open == 0) {
    s.state = TransferState::kSucceeded;
    s.detail = detail;
  }
}

Result<TransferStatus> TokenRegistry::StatusOf(std::string_view token, TimePoint now) {
  TERN_ASSIGN_OR_RETURN(const TokenSecret secret, TokenSecret::Parse(token));
  std::lock_guard lock(mu_);
  Forget(now);
  const Entry* e = Lookup(secret);
  if (e == nullptr) return tern::Status::NotFound("unknown transfer token");
  TransferStatus s = e->status;
  if (s.state == TransferState::kIssued && now >= e->expires) {
    s.state = TransferState::kExpired;
    s.detail = "the token expired unused";
  }
  return s;
}

tern::Status TokenRegistry::Revoke(std::string_view token) {
  TERN_ASSIGN_OR_RETURN(const TokenSecret secret, TokenSecret::Parse(token));
  std::lock_guard lock(mu_);
  Entry* e = Lookup(secret);
  if (e == nullptr) return tern::Status::NotFound("unknown transfer token");
  e->revoked = true;
  return tern::Status::Ok();
}

size_t TokenRegistry::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace tern::transfer
