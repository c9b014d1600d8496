#include "net/control_message.h"

#include <cstring>

#include "net/byte_io.h"

namespace tern::net {

std::string_view ControlKindName(ControlKind k) {
  switch (k) {
    case ControlKind::kJoin:
      return "join";
    case ControlKind::kMembers:
      return "members";
    case ControlKind::kAnnounce:
      return "announce";
    case ControlKind::kHeartbeat:
      return "heartbeat";
    case ControlKind::kLeave:
      return "leave";
  }
  return "unknown";
}

std::string_view ControlErrorName(ControlError e) {
  switch (e) {
    case ControlError::kNone:
      return "ok";
    case ControlError::kTruncated:
      return "truncated";
    case ControlError::kUnknownKind:
      return "unknown kind";
    case ControlError::kTooManyMembers:
      return "too many members";
    case ControlError::kBadEndpoint:
      return "bad endpoint";
    case ControlError::kTrailing:
      return "trailing bytes";
  }
  return "unknown";
}

void EncodeControl(const ControlMessage& m, std::vector<uint8_t>& out) {
  const size_t n = m.members.size() < kMaxMembersPerMessage ? m.members.size() : kMaxMembersPerMessage;
  out.assign(4, 0);
  out[0] = static_cast<uint8_t>(m.kind);
  StoreBe16(&out[2], static_cast<uint16_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const MemberInfo& mi = m.members[i];
    uint8_t buf[8 + 1 + 16 + 2];
    StoreBe64(buf, mi.id);
    buf[8] = mi.endpoint.family == 6 ? 6 : 4;
    const size_t asz = buf[8] == 6 ? 16 : 4;
    std::memcpy(buf + 9, mi.endpoint.addr.data(), asz);
    StoreBe16(buf + 9 + asz, mi.endpoint.port);
    out.insert(out.end(), buf, buf + 11 + asz);
  }
}

ControlError ParseControl(std::span<const uint8_t> p, ControlMessage& out) {
  if (p.size() < 4) return ControlError::kTruncated;
  const uint8_t kind = p[0];
  if (kind < 1 || kind > 5 || p[1] != 0) return ControlError::kUnknownKind;
  out.kind = static_cast<ControlKind>(kind);
  const size_t n = LoadBe16(&p[2]);
  if (n > kMaxMembersPerMessage) return ControlError::kTooManyMembers;
  out.members.clear();
  size_t off = 4;
  for (size_t i = 0; i < n; ++i) {
    if (p.size() - off < 9) return ControlError::kTruncated;
    MemberInfo mi;
    mi.id = LoadBe64(&p[off]);
    const uint8_t fam = p[off + 8];
    if (fam != 4 && fam != 6) return ControlError::kBadEndpoint;
    const size_t asz = fam == 6 ? 16 : 4;
    if (p.size() - off < 11 + asz) return ControlError::kTruncated;
    mi.endpoint.family = fam;
    std::memcpy(mi.endpoint.addr.data(), &p[off + 9], asz);
    mi.endpoint.port = LoadBe16(&p[off + 9 + asz]);
    if (mi.endpoint.port == 0) return ControlError::kBadEndpoint;
    out.members.push_back(mi);
    off += 11 + asz;
  }
  if (off != p.size()) return ControlError::kTrailing;
  return ControlError::kNone;
}

}  // namespace tern::net
