// Control messages between the daemons of one network (join, member list, announce, heartbeat, leave):
// encoding and a strict parser. They travel sealed like data frames (type kControl).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "net/endpoint.h"

namespace tern::net {

enum class ControlKind : uint8_t {
  kJoin = 1,       // new daemon -> any member: "send me the member list"
  kMembers = 2,    // member -> joiner: the member list (sender included implicitly)
  kAnnounce = 3,   // joiner -> every member: "I am here"
  kHeartbeat = 4,  // periodic, to every member; carries the sender's member list (anti-entropy)
  kLeave = 5,      // clean shutdown
};
std::string_view ControlKindName(ControlKind k);

inline constexpr size_t kMaxMembersPerMessage = 256;

struct MemberInfo {
  uint64_t id = 0;  // the member's session id (sender_id of its messages)
  Endpoint endpoint;
  friend bool operator==(const MemberInfo&, const MemberInfo&) = default;
};

struct ControlMessage {
  ControlKind kind = ControlKind::kHeartbeat;
  std::vector<MemberInfo> members;
};

void EncodeControl(const ControlMessage& m, std::vector<uint8_t>& out);

enum class ControlError : uint8_t {
  kNone = 0,
  kTruncated,
  kUnknownKind,
  kTooManyMembers,
  kBadEndpoint,
  kTrailing
};
std::string_view ControlErrorName(ControlError e);

ControlError ParseControl(std::span<const uint8_t> payload, ControlMessage& out);

}  // namespace tern::net
