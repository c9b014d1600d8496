#include "net/forwarding.h"

namespace tern::net {

ForwardDecision Decide(const MacTable& table, PortId ingress, const MacAddress& dst, TimeNs now) {
  ForwardDecision d;
  std::optional<PortId> out;
  if (!dst.IsMulticast()) out = table.Lookup(dst, now);
  if (!out) {
    // Broadcast, multicast or unknown unicast. A daemon floods to its peers only what its own ports sent:
    // peers flood to their local ports, never onward (full mesh, at most two daemons on a path).
    d.action = ForwardDecision::Action::kFlood;
    d.to_peers = !ingress.is_peer();
    return d;
  }
  if (*out == ingress) {
    d.reason = "same port";
    return d;
  }
  if (ingress.is_peer() && out->is_peer()) {
    d.reason = "peer to peer";
    return d;
  }
  d.action = ForwardDecision::Action::kUnicast;
  d.port = *out;
  return d;
}

}  // namespace tern::net
