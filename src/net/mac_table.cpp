#include "net/mac_table.h"

namespace tern::net {

LearnResult MacTable::Learn(const MacAddress& mac, PortId port, TimeNs now) {
  auto it = entries_.find(mac);
  if (it != entries_.end()) {
    const bool aged = now - it->second.last_seen > max_age_;
    const bool moved = !(it->second.port == port);
    it->second = Value{port, now};
    if (aged) return LearnResult::kNew;
    return moved ? LearnResult::kMoved : LearnResult::kRefreshed;
  }
  if (entries_.size() >= max_entries_) {
    Expire(now);
    if (entries_.size() >= max_entries_) return LearnResult::kTableFull;
  }
  entries_.emplace(mac, Value{port, now});
  return LearnResult::kNew;
}

std::optional<PortId> MacTable::Lookup(const MacAddress& mac, TimeNs now) const {
  auto it = entries_.find(mac);
  if (it == entries_.end() || now - it->second.last_seen > max_age_) return std::nullopt;
  return it->second.port;
}

size_t MacTable::Expire(TimeNs now) {
  return std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_seen > max_age_; });
}

size_t MacTable::ForgetPort(PortId port) {
  return std::erase_if(entries_, [&](const auto& kv) { return kv.second.port == port; });
}

std::vector<MacTable::Entry> MacTable::Snapshot() const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const auto& [mac, v] : entries_) out.push_back(Entry{mac, v.port, v.last_seen});
  return out;
}

}  // namespace tern::net
