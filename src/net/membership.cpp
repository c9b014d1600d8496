#include "net/membership.h"

namespace tern::net {

std::string_view PeerStateName(PeerState s) {
  return s == PeerState::kAlive ? "alive" : "suspect";
}

std::string_view SelfStateName(SelfState s) {
  switch (s) {
    case SelfState::kFounder:
      return "founder";
    case SelfState::kJoining:
      return "joining";
    case SelfState::kMember:
      return "member";
    case SelfState::kLeft:
      return "left";
  }
  return "unknown";
}

Peer* Membership::Find(uint64_t id) {
  for (auto& p : peers_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

Peer* Membership::Add(uint64_t id, const Endpoint& endpoint, TimeNs now, std::string_view why) {
  if (id == self_id_ || Tombstoned(id) || !endpoint.valid() || endpoint.port == 0) return nullptr;
  if (Peer* p = Find(id)) {
    return p;
  }
  // A new session at the endpoint of a known one: that daemon restarted.
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].endpoint == endpoint) {
      Remove(i, now, "replaced by a new session at the same address (restart)");
      break;
    }
  }
  Peer p;
  p.id = id;
  p.endpoint = endpoint;
  p.index = next_index_++;
  p.last_heard = now;
  p.added = now;
  peers_.push_back(p);
  events_.push_back({MembershipEvent::Kind::kAdded, id, endpoint, p.index, std::string(why)});
  return &peers_.back();
}

void Membership::Remove(size_t i, TimeNs now, std::string reason) {
  const Peer p = peers_[i];
  tombstones_[p.id] = now + config_.tombstone_for;
  peers_.erase(peers_.begin() + static_cast<std::ptrdiff_t>(i));
  events_.push_back({MembershipEvent::Kind::kRemoved, p.id, p.endpoint, p.index, std::move(reason)});
}

ControlMessage Membership::MemberList(ControlKind kind) const {
  ControlMessage m;
  m.kind = kind;
  for (const auto& p : peers_) {
    if (m.members.size() >= kMaxMembersPerMessage) break;
    m.members.push_back({p.id, p.endpoint});
  }
  return m;
}

void Membership::Join(const Endpoint& seed, TimeNs now, Outbox& out) {
  seed_ = seed;
  state_ = SelfState::kJoining;
  last_join_sent_ = now;
  out.push_back({seed, ControlMessage{ControlKind::kJoin, {}}});
}

bool Membership::AcceptSequence(uint64_t sender_id, uint64_t sequence) {
  Peer* p = Find(sender_id);
  return p == nullptr || p->replay.Accept(sequence);
}

void Membership::OnControl(const Endpoint& from, uint64_t sender_id, const ControlMessage& msg, TimeNs now,
                           Outbox& out) {
  if (state_ == SelfState::kLeft) return;
  if (msg.kind == ControlKind::kLeave) {
    for (size_t i = 0; i < peers_.size(); ++i) {
      if (peers_[i].id == sender_id) {
        Remove(i, now, "left");
        break;
      }
    }
    tombstones_[sender_id] = now + config_.tombstone_for;
    return;
  }
  Peer* sender = Add(sender_id, from, now, ControlKindName(msg.kind));
  if (sender == nullptr) return;  // ourselves, or a session that left
  sender->last_heard = now;
  sender->state = PeerState::kAlive;
  sender->endpoint = from;  // follows an address change of a live session
  switch (msg.kind) {
    case ControlKind::kJoin: {
      ControlMessage list = MemberList(ControlKind::kMembers);
      std::erase_if(list.members, [&](const MemberInfo& m) { return m.id == sender_id; });
      out.push_back({from, std::move(list)});
      break;
    }
    case ControlKind::kMembers:
      if (state_ == SelfState::kJoining || state_ == SelfState::kFounder) state_ = SelfState::kMember;
      for (const auto& m : msg.members) {
        if (Find(m.id) != nullptr) continue;
        if (Add(m.id, m.endpoint, now, "member list") != nullptr) {
          out.push_back({m.endpoint, ControlMessage{ControlKind::kAnnounce, {}}});
        }
      }
      break;
    case ControlKind::kAnnounce:
      break;
    case ControlKind::kHeartbeat:
      if (state_ == SelfState::kJoining) state_ = SelfState::kMember;
      for (const auto& m : msg.members) {
        if (Find(m.id) != nullptr) continue;
        if (Add(m.id, m.endpoint, now, "gossip") != nullptr) {
          out.push_back({m.endpoint, ControlMessage{ControlKind::kAnnounce, {}}});
        }
      }
      break;
    case ControlKind::kLeave:
      break;
  }
}

Peer* Membership::OnData(const Endpoint& from, uint64_t sender_id, TimeNs now) {
  if (state_ == SelfState::kLeft) return nullptr;
  Peer* p = Find(sender_id);
  if (p == nullptr) p = Add(sender_id, from, now, "data");
  if (p != nullptr) {
    p->last_heard = now;
    p->state = PeerState::kAlive;
  }
  return p;
}

void Membership::Tick(TimeNs now, Outbox& out) {
  if (state_ == SelfState::kLeft) return;
  for (size_t i = peers_.size(); i-- > 0;) {
    const TimeNs silent = now - peers_[i].last_heard;
    if (silent > config_.dead_after) {
      Remove(i, now, "no message for " + std::to_string(silent / kNsPerMs) + " ms");
    } else if (silent > config_.suspect_after) {
      peers_[i].state = PeerState::kSuspect;
    }
  }
  std::erase_if(tombstones_, [&](const auto& kv) { return kv.second <= now; });
  if (seed_ && now - last_join_sent_ >= config_.heartbeat_interval) {
    bool seed_is_peer = false;
    for (const auto& p : peers_) seed_is_peer = seed_is_peer || p.endpoint == *seed_;
    if (!seed_is_peer && (state_ == SelfState::kJoining || peers_.empty() ||
                          now - last_join_sent_ >= 2 * config_.heartbeat_interval)) {
      last_join_sent_ = now;
      out.push_back({*seed_, ControlMessage{ControlKind::kJoin, {}}});
    }
  }
  if (now >= next_heartbeat_) {
    next_heartbeat_ = now + config_.heartbeat_interval;
    const ControlMessage hb = MemberList(ControlKind::kHeartbeat);
    for (const auto& p : peers_) out.push_back({p.endpoint, hb});
  }
}

void Membership::Leave(Outbox& out) {
  for (const auto& p : peers_) out.push_back({p.endpoint, ControlMessage{ControlKind::kLeave, {}}});
  peers_.clear();
  state_ = SelfState::kLeft;
}

}  // namespace tern::net
