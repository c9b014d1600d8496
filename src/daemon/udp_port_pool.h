// Picks UDP ports for VM NICs on tern networks: two per NIC (the switch's end and QEMU's) from the configured
// range, skipping ports tern already gave out and ports some other program holds.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>

#include "core/result.h"
#include "daemon/switch_settings.h"

namespace tern::daemon {

// The lowest two ports of `range` that are not in `used` and for which `is_free` holds (first: the switch's,
// second: QEMU's). ResourceExhausted naming the range when fewer than two remain.
Result<std::pair<int, int>> PickPortPair(const PortRange& range, const std::set<int>& used,
                                         const std::function<bool(int)>& is_free);

// True when a UDP socket can bind address:port (IPv4) right now.
bool UdpPortIsFree(int port, const std::string& address = "127.0.0.1");

}  // namespace tern::daemon
