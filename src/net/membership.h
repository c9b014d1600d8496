// Membership: the control-plane state machine of one daemon in one network (join through any member, member
// list, announce, heartbeats with anti-entropy, failure detection, clean leave, restart replacement). Pure
// logic: messages to send go to an Outbox, the caller passes "now".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/control_message.h"
#include "net/endpoint.h"
#include "net/port_id.h"
#include "net/replay_window.h"

namespace tern::net {

struct MembershipConfig {
  TimeNs heartbeat_interval = 1 * kNsPerSec;
  TimeNs suspect_after = 3 * kNsPerSec;   // no message for this long: suspect (still used)
  TimeNs dead_after = 6 * kNsPerSec;      // no message for this long: removed
  TimeNs tombstone_for = 20 * kNsPerSec;  // a removed session is not re-added by gossip for this long
};

enum class PeerState : uint8_t { kAlive, kSuspect };
enum class SelfState : uint8_t { kFounder, kJoining, kMember, kLeft };
std::string_view PeerStateName(PeerState s);
std::string_view SelfStateName(SelfState s);

struct Peer {
  uint64_t id = 0;
  Endpoint endpoint;
  uint32_t index = 0;  // PortId::Peer(index) in the MAC table; never reused
  PeerState state = PeerState::kAlive;
  TimeNs last_heard = 0;
  TimeNs added = 0;
  ReplayWindow replay;
};

struct OutgoingControl {
  Endpoint to;
  ControlMessage msg;
};
using Outbox = std::vector<OutgoingControl>;

struct MembershipEvent {
  enum class Kind : uint8_t { kAdded, kRemoved };
  Kind kind = Kind::kAdded;
  uint64_t id = 0;
  Endpoint endpoint;
  uint32_t index = 0;
  std::string reason;
};

class Membership {
 public:
  Membership(uint64_t self_id, MembershipConfig config) : self_id_(self_id), config_(config) {}

  // Joins through `seed` (any member): sends kJoin now and again every heartbeat interval until a member
  // answers; later, whenever `seed` is not a peer (it restarted and forgot us), keeps offering to join
  // through it.
  void Join(const Endpoint& seed, TimeNs now, Outbox& out);
  // A verified control message from session `sender_id` at `from`.
  void OnControl(const Endpoint& from, uint64_t sender_id, const ControlMessage& msg, TimeNs now,
                 Outbox& out);
  // A verified data message: counts as liveness; a sender holding the key that is not yet a member is added.
  // Returns the peer, or nullptr when the session has left (tombstoned).
  Peer* OnData(const Endpoint& from, uint64_t sender_id, TimeNs now);
  // Heartbeats, join retries, failure detection, tombstone expiry.
  void Tick(TimeNs now, Outbox& out);
  // Sends kLeave to every peer and forgets them.
  void Leave(Outbox& out);

  // Replay protection for a verified message from `sender_id` (false: replayed or too old). Unknown senders
  // pass.
  bool AcceptSequence(uint64_t sender_id, uint64_t sequence);

  [[nodiscard]] Peer* Find(uint64_t id);
  [[nodiscard]] const std::vector<Peer>& peers() const { return peers_; }
  [[nodiscard]] SelfState state() const { return state_; }
  [[nodiscard]] uint64_t self_id() const { return self_id_; }
  [[nodiscard]] const MembershipConfig& config() const { return config_; }
  std::vector<MembershipEvent> TakeEvents() { return std::exchange(events_, {}); }

 private:
  Peer* Add(uint64_t id, const Endpoint& endpoint, TimeNs now, std::string_view why);
  void Remove(size_t i, TimeNs now, std::string reason);
  ControlMessage MemberList(ControlKind kind) const;
  bool Tombstoned(uint64_t id) const { return tombstones_.count(id) != 0; }

  uint64_t self_id_;
  MembershipConfig config_;
  SelfState state_ = SelfState::kFounder;
  std::optional<Endpoint> seed_;
  TimeNs last_join_sent_ = 0;
  TimeNs next_heartbeat_ = 0;
  uint32_t next_index_ = 1;
  std::vector<Peer> peers_;
  std::unordered_map<uint64_t, TimeNs> tombstones_;  // session id -> until
  std::vector<MembershipEvent> events_;
};

}  // namespace tern::net
