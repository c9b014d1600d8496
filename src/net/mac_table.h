// MacTable: MAC address -> next-hop port, learned from source addresses, with aging and a size bound.
#pragma once

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <vector>

#include "net/mac_address.h"
#include "net/port_id.h"

namespace tern::net {

enum class LearnResult : uint8_t {
  kNew,        // first time this address is seen (or it had aged out)
  kRefreshed,  // same port, timestamp renewed
  kMoved,      // seen on another port than before: the entry now points to the new port
  kTableFull,  // not learned: the table holds max_entries live addresses
};

class MacTable {
 public:
  MacTable(TimeNs max_age, size_t max_entries) : max_age_(max_age), max_entries_(max_entries) {}

  // Records that `mac` was seen as a source on `port` at `now`. An address moves on the first frame seen from
  // a new port.
  LearnResult Learn(const MacAddress& mac, PortId port, TimeNs now);
  // The port `mac` was last seen on, unless the entry is older than max_age.
  [[nodiscard]] std::optional<PortId> Lookup(const MacAddress& mac, TimeNs now) const;
  // Removes aged entries; returns how many. Called periodically (lookups ignore aged entries anyway).
  size_t Expire(TimeNs now);
  // Removes every entry pointing to `port` (a peer that left or failed, a local port that closed).
  size_t ForgetPort(PortId port);

  struct Entry {
    MacAddress mac;
    PortId port;
    TimeNs last_seen = 0;
  };
  [[nodiscard]] std::vector<Entry> Snapshot() const;
  [[nodiscard]] size_t size() const { return entries_.size(); }
  [[nodiscard]] TimeNs max_age() const { return max_age_; }

 private:
  struct Value {
    PortId port;
    TimeNs last_seen;
  };
  TimeNs max_age_;
  size_t max_entries_;
  std::unordered_map<MacAddress, Value> entries_;
};

}  // namespace tern::net
