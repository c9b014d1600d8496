// SwitchCounters: what one network's switch has forwarded and, per cause, dropped (shown in the status file).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::net {

struct SwitchCounters {
  uint64_t rx_local_frames = 0;
  uint64_t rx_local_bytes = 0;
  uint64_t rx_peer_messages = 0;
  uint64_t rx_peer_bytes = 0;
  uint64_t tx_peer_messages = 0;
  uint64_t tx_local_frames = 0;
  uint64_t flooded_frames = 0;
  uint64_t control_rx = 0;
  uint64_t control_tx = 0;
  uint64_t mac_moves = 0;
  // drops
  uint64_t drop_bad_frame = 0;        // local or decapsulated frame malformed (truncated, bad source)
  uint64_t drop_oversized = 0;        // larger than the network's MTU allows
  uint64_t drop_truncated = 0;        // datagram shorter than a sealed message
  uint64_t drop_bad_version = 0;      // unknown version / type
  uint64_t drop_wrong_network = 0;    // another network's id
  uint64_t drop_bad_auth = 0;         // tag does not verify (forger, other key, corruption)
  uint64_t drop_replay = 0;           // sequence already seen
  uint64_t drop_bad_control = 0;      // authenticated but malformed control message
  uint64_t drop_bad_fragment = 0;     // malformed or inconsistent fragment
  uint64_t drop_unknown_session = 0;  // data from a session that left
  uint64_t drop_filtered = 0;         // destination on the ingress port
  uint64_t drop_peer_to_peer = 0;     // from a peer to a MAC behind another peer (never relayed)
  uint64_t drop_mac_table_full = 0;   // source not learned (frame still forwarded)
  uint64_t drop_offload = 0;          // offloaded frame a port cannot take and that could not be segmented
  uint64_t drop_tx_error = 0;         // socket/TAP write failed

  [[nodiscard]] std::vector<std::pair<std::string_view, uint64_t>> Items() const {
    return {{"rx_local_frames", rx_local_frames},
            {"rx_local_bytes", rx_local_bytes},
            {"rx_peer_messages", rx_peer_messages},
            {"rx_peer_bytes", rx_peer_bytes},
            {"tx_peer_messages", tx_peer_messages},
            {"tx_local_frames", tx_local_frames},
            {"flooded_frames", flooded_frames},
            {"control_rx", control_rx},
            {"control_tx", control_tx},
            {"mac_moves", mac_moves},
            {"drop_bad_frame", drop_bad_frame},
            {"drop_oversized", drop_oversized},
            {"drop_truncated", drop_truncated},
            {"drop_bad_version", drop_bad_version},
            {"drop_wrong_network", drop_wrong_network},
            {"drop_bad_auth", drop_bad_auth},
            {"drop_replay", drop_replay},
            {"drop_bad_control", drop_bad_control},
            {"drop_bad_fragment", drop_bad_fragment},
            {"drop_unknown_session", drop_unknown_session},
            {"drop_filtered", drop_filtered},
            {"drop_peer_to_peer", drop_peer_to_peer},
            {"drop_mac_table_full", drop_mac_table_full},
            {"drop_offload", drop_offload},
            {"drop_tx_error", drop_tx_error}};
  }
  [[nodiscard]] uint64_t dropped_input() const {
    return drop_bad_frame + drop_oversized + drop_truncated + drop_bad_version + drop_wrong_network +
           drop_bad_auth + drop_replay + drop_bad_control + drop_bad_fragment + drop_unknown_session;
  }
};

}  // namespace tern::net
