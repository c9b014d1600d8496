// Forwarding decision of one daemon of the distributed switch, including seed 002's broadcast rule: flooded
// frames from a local port go to every peer and every other local port; from a peer, to local ports only.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/mac_address.h"
#include "net/mac_table.h"
#include "net/port_id.h"

namespace tern::net {

struct ForwardDecision {
  enum class Action : uint8_t {
    kDrop,     // see `reason`
    kUnicast,  // to `port`
    kFlood,    // to every local port except `ingress`, and to every peer iff `to_peers`
  };
  Action action = Action::kDrop;
  PortId port;
  bool to_peers = false;
  std::string_view reason;  // for drops: "same port", "peer to peer"
};

// Decides where a frame with destination `dst` that entered on `ingress` goes. Does not learn; the caller
// learns the source first (so that a frame addressed to its own sender is filtered).
ForwardDecision Decide(const MacTable& table, PortId ingress, const MacAddress& dst, TimeNs now);

}  // namespace tern::net
