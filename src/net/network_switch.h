// NetworkSwitch: one daemon's share of one virtual network — learns, decides, seals and opens, runs the
// membership state machine — with all I/O behind SwitchIo, so it is unit-tested without sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/counters.h"
#include "net/encapsulation.h"
#include "net/endpoint.h"
#include "net/fragmentation.h"
#include "net/mac_table.h"
#include "net/membership.h"
#include "net/vnet_header.h"

namespace tern::net {

// Where the switch's output goes. Calls are synchronous; spans are valid only during the call unless the
// implementation documents a batch (the daemon keeps its receive buffers until it flushes).
class SwitchIo {
 public:
  virtual ~SwitchIo() = default;
  // A frame for local port `port`; `vnet` is its offload metadata (plain frames have a default VnetHdr).
  virtual void ToLocal(uint32_t port, const VnetHdr& vnet, std::span<const uint8_t> frame) = 0;
  // A sealed message for a peer daemon; it may exceed one datagram (the I/O layer fragments it explicitly).
  virtual void ToPeer(const Endpoint& to, std::span<const uint8_t> message) = 0;
};

struct SwitchConfig {
  size_t mtu = 1422;  // largest IP packet of the virtual network (frames: mtu + 18 with a VLAN tag)
  size_t max_gso_frame = 65535 + 18;  // largest offloaded (GSO) frame carried between daemons
  TimeNs mac_max_age = 300 * kNsPerSec;
  size_t mac_max_entries = 65536;
  MembershipConfig membership;
};

// Room the caller leaves around a payload so that sealing happens in place.
inline constexpr size_t kHeadroom = kSealedHeaderSize;
inline constexpr size_t kTailroom = kTagSize;

class NetworkSwitch {
 public:
  NetworkSwitch(NetworkKey key, uint64_t session_id, SwitchConfig config, SwitchIo& io);

  void AddLocalPort(uint32_t port);
  void RemoveLocalPort(uint32_t port);

  // A frame from local port `port`. `buf` holds kHeadroom bytes, then the payload ([virtio_net_hdr if
  // has_vnet] + frame, `payload_len` bytes), then kTailroom bytes; the buffer is modified (sealed in place).
  void OnLocalFrame(uint32_t port, uint8_t* buf, size_t payload_len, bool has_vnet, TimeNs now);
  // A datagram from the underlay (sealed message or fragment); modified in place.
  void OnDatagram(const Endpoint& from, std::span<uint8_t> datagram, TimeNs now);
  // Timers: heartbeats, failure detection, MAC aging, fragment expiry. Call at least every 100 ms.
  void Tick(TimeNs now);
  void Join(const Endpoint& seed, TimeNs now);
  void Leave();

  [[nodiscard]] const SwitchCounters& counters() const { return counters_; }
  SwitchCounters& mutable_counters() { return counters_; }  // for the I/O layer's own drops
  [[nodiscard]] const MacTable& mac_table() const { return macs_; }
  [[nodiscard]] const Membership& membership() const { return membership_; }
  [[nodiscard]] const NetworkKey& key() const { return key_; }
  [[nodiscard]] uint64_t session_id() const { return session_id_; }
  [[nodiscard]] const std::vector<uint32_t>& local_ports() const { return local_ports_; }
  // Membership changes since the last call, for logging.
  std::vector<MembershipEvent> TakeEvents() { return std::exchange(events_, {}); }

 private:
  void OnMessage(const Endpoint& from, std::span<uint8_t> message, TimeNs now);
  void SendControl(Outbox& out);
  void ApplyMembershipEvents();
  void FloodLocal(uint32_t except, const VnetHdr& vnet, std::span<const uint8_t> frame);
  size_t MaxFrame(const VnetHdr& vnet) const {
    return vnet.is_gso() ? config_.max_gso_frame : config_.mtu + 18;
  }

  NetworkKey key_;
  uint64_t session_id_;
  SwitchConfig config_;
  SwitchIo& io_;
  MacTable macs_;
  Membership membership_;
  Reassembler reassembler_;
  SwitchCounters counters_;
  std::vector<uint32_t> local_ports_;
  uint64_t sequence_ = 0;
  TimeNs last_expire_ = 0;
  std::vector<uint8_t> control_buf_;
  std::vector<uint8_t> control_payload_;
  std::vector<MembershipEvent> events_;
};

}  // namespace tern::net
