// SwitchDaemon: the I/O side of tern-switch for one network — peer UDP socket, TAP and VM ports, an epoll
// loop, timers, signals and the status file — driving a NetworkSwitch.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/network_switch.h"
#include "net/tap_device.h"
#include "net/udp_socket.h"

namespace tern::net {

struct VmPortSpec {
  Endpoint local;   // the daemon's end (libvirt's <source address= port=>)
  Endpoint remote;  // QEMU's end (libvirt's <local address= port=>)
  std::string label;
};

struct DaemonOptions {
  std::string network;
  std::string key_file;
  bool encrypt = false;
  Cipher cipher = Cipher::kAuto;
  Endpoint listen;
  std::vector<Endpoint> join;
  std::vector<std::string> taps;
  bool offloads = true;
  std::vector<VmPortSpec> vm_ports;
  // VM ports managed at run time (ternd): read at start and again on SIGHUP; VM ports on `udp_address`.
  std::string ports_file;
  std::string udp_address = "127.0.0.1";
  int underlay_mtu = 1500;
  int mtu = 0;  // 0: underlay_mtu - overhead (kUnderlayOverheadV4)
  MembershipConfig membership;
  TimeNs mac_max_age = 300 * kNsPerSec;
  std::string status_file;
};

// IPv4 (20) + UDP (8) + sealed header and tag (40) + Ethernet with a VLAN tag (18).
inline constexpr int kUnderlayOverheadV4 = 20 + 8 + 40 + 18;

class SwitchDaemon final : public SwitchIo {
 public:
  static Result<std::unique_ptr<SwitchDaemon>> Create(const DaemonOptions& options);
  ~SwitchDaemon() override;

  // Runs until SIGINT/SIGTERM (then leaves the network cleanly) or a fatal error. SIGHUP re-reads the ports
  // file.
  Status Run();

  void ToLocal(uint32_t port, const VnetHdr& vnet, std::span<const uint8_t> frame) override;
  void ToPeer(const Endpoint& to, std::span<const uint8_t> message) override;

  [[nodiscard]] const Endpoint& listen() const { return peer_socket_->local(); }
  [[nodiscard]] int mtu() const { return mtu_; }

 private:
  struct LocalPort {
    std::string name;
    std::optional<TapDevice> tap;
    std::optional<UdpSocket> udp;
    Endpoint remote;
    std::string label;
    bool from_ports_file = false;
    [[nodiscard]] bool open() const { return tap.has_value() || udp.has_value(); }
  };
  SwitchDaemon() = default;
  // Opens a VM port in a free slot (or a new one) and registers it with the switch and the event loop.
  Status OpenVmPort(const VmPortSpec& spec, bool from_ports_file);
  void CloseVmPort(uint32_t port);
  // Brings the ports-file ports in line with the file; a port that cannot be opened is reported in the
  // status file (port_errors) and the others are still served.
  void ReloadPorts();
  Status Watch(int fd, uint64_t tag);
  void OnPeerReadable(TimeNs now);
  void OnTapReadable(uint32_t port, TimeNs now);
  void OnVmReadable(uint32_t port, TimeNs now);
  void FlushPeers();
  void WriteStatus(TimeNs now);
  void LogEvents(TimeNs now);

  DaemonOptions options_;
  int mtu_ = 0;
  size_t max_datagram_ = 0;
  std::unique_ptr<NetworkSwitch> switch_;
  std::optional<UdpSocket> peer_socket_;
  std::vector<LocalPort> ports_;
  std::vector<UdpSocket::Received> rx_;
  std::vector<std::vector<uint8_t>> frame_bufs_;  // TAP read buffers of one batch
  std::vector<std::vector<uint8_t>> frag_bufs_;   // fragment trains queued for the current flush
  size_t frag_used_ = 0;
  uint32_t frag_id_ = 0;
  std::vector<uint8_t> scratch_;
  uint64_t fragmented_messages_ = 0;
  UniqueFd epoll_;
  std::vector<std::string> port_errors_;
};

}  // namespace tern::net
