#include "net/switch_daemon.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "net/offload.h"
#include "net/ports_file.h"

namespace tern::net {
namespace {

constexpr uint64_t kTagPeer = 1;
constexpr uint64_t kTagTimer = 2;
constexpr uint64_t kTagSignal = 3;
constexpr uint64_t kTagPortBase = 1000;
constexpr size_t kTapBatch = 64;
constexpr size_t kMaxFrameRead = kVnetHdrSize + 65535 + 18;
constexpr size_t kPeerBatch = 32;
constexpr size_t kPeerBufSize = 65536;
// A UDP GSO send carries at most 64 segments and must stay under the IP datagram limit.
constexpr size_t kMaxGsoBytes = 60000;
constexpr size_t kMaxGsoSegments = 64;

TimeNs Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<TimeNs>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

// SIGINT/SIGTERM leave the network, SIGHUP re-reads the ports file. Blocked from the start so that a signal
// sent right after the daemon was started is read from the signalfd rather than killing it.
sigset_t HandledSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  return mask;
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<std::unique_ptr<SwitchDaemon>> SwitchDaemon::Create(const DaemonOptions& o) {
  const std::string what = "network '" + o.network + "'";
  const sigset_t signals = HandledSignals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  TERN_ASSIGN_OR_RETURN(NetworkKey key, NetworkKey::FromKeyFile(o.network, o.key_file, o.encrypt, o.cipher));
  std::unique_ptr<SwitchDaemon> d(new SwitchDaemon());
  d->options_ = o;
  const int overhead = kUnderlayOverheadV4 + (o.listen.family == 6 ? 20 : 0);
  d->mtu_ = o.mtu > 0 ? o.mtu : o.underlay_mtu - overhead;
  if (d->mtu_ < 576) {
    return Status::InvalidArgument(what + ": MTU " + std::to_string(d->mtu_) +
                                   " is below 576 (underlay MTU " + std::to_string(o.underlay_mtu) +
                                   ", overhead " + std::to_string(overhead) + ")");
  }
  if (d->mtu_ + overhead > o.underlay_mtu) {
    spdlog::warn(
        "{}: MTU {} + overhead {} exceeds the underlay MTU {}: frames larger than {} bytes are carried in "
        "two fragments",
        what, d->mtu_, overhead, o.underlay_mtu, o.underlay_mtu - overhead);
  }
  d->max_datagram_ = static_cast<size_t>(o.underlay_mtu - (o.listen.family == 6 ? 48 : 28));
  TERN_ASSIGN_OR_RETURN(UdpSocket peer, UdpSocket::Bind(o.listen, what + " peer socket"));
  peer.EnableGro();
  peer.SetBuffers(8 << 20);
  d->peer_socket_ = std::move(peer);
  uint64_t session = 0;
  randombytes_buf(&session, sizeof session);
  SwitchConfig cfg;
  cfg.mtu = static_cast<size_t>(d->mtu_);
  cfg.membership = o.membership;
  cfg.mac_max_age = o.mac_max_age;
  d->switch_ = std::make_unique<NetworkSwitch>(std::move(key), session, cfg, *d);
  for (const auto& name : o.taps) {
    TERN_ASSIGN_OR_RETURN(TapDevice tap, TapDevice::Open(name, o.offloads, d->mtu_));
    LocalPort p;
    p.name = "tap:" + tap.name();
    p.tap = std::move(tap);
    d->ports_.push_back(std::move(p));
  }
  d->epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  if (!d->epoll_.valid()) return Status::IoError(what + ": epoll_create1: " + std::strerror(errno));
  for (uint32_t i = 0; i < d->ports_.size(); ++i) {
    d->switch_->AddLocalPort(i);
    TERN_RETURN_IF_ERROR(d->Watch(d->ports_[i].tap->fd(), kTagPortBase + i));
  }
  for (const auto& vm : o.vm_ports) TERN_RETURN_IF_ERROR(d->OpenVmPort(vm, false));
  // A ports file that cannot be read at start is an error; later, the running ports stay as they are.
  if (!o.ports_file.empty() && FileExists(o.ports_file)) {
    TERN_ASSIGN_OR_RETURN(std::string text, ReadFile(o.ports_file));
    TERN_RETURN_IF_ERROR(ParsePortsFile(text, o.ports_file).status());
    d->ReloadPorts();
  }
  d->frame_bufs_.assign(kTapBatch, std::vector<uint8_t>(kHeadroom + kMaxFrameRead + kTailroom));
  return d;
}

Status SwitchDaemon::Watch(int fd, uint64_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status::IoError("network '" + options_.network + "': epoll_ctl: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status SwitchDaemon::OpenVmPort(const VmPortSpec& vm, bool from_ports_file) {
  const std::string what = "network '" + options_.network + "' VM port " + vm.local.ToString();
  TERN_ASSIGN_OR_RETURN(UdpSocket s, UdpSocket::Bind(vm.local, what));
  s.SetBuffers(4 << 20);
  uint32_t index = 0;
  while (index < ports_.size() && ports_[index].open()) ++index;
  if (index == ports_.size()) ports_.emplace_back();
  LocalPort& p = ports_[index];
  p = LocalPort{};
  p.name = "udp:" + s.local().ToString() + "->" + vm.remote.ToString();
  p.remote = vm.remote;
  p.label = vm.label;
  p.from_ports_file = from_ports_file;
  const int fd = s.fd();
  p.udp = std::move(s);
  if (Status st = Watch(fd, kTagPortBase + index); !st.ok()) {
    p.udp.reset();
    return st;
  }
  switch_->AddLocalPort(index);
  return Status::Ok();
}

void SwitchDaemon::CloseVmPort(uint32_t port) {
  LocalPort& p = ports_[port];
  if (!p.udp) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, p.udp->fd(), nullptr);
  switch_->RemoveLocalPort(port);  // also forgets the MACs learned on it
  spdlog::info("network '{}': closed port {}{}", options_.network, p.name,
               p.label.empty() ? "" : " (" + p.label + ")");
  p = LocalPort{};
}

void SwitchDaemon::ReloadPorts() {
  port_errors_.clear();
  auto text = ReadFile(options_.ports_file);
  if (!text.ok() && FileExists(options_.ports_file)) {
    port_errors_.push_back(text.status().message());
    spdlog::error("network '{}': {}; ports unchanged", options_.network, text.status().ToString());
    return;
  }
  std::vector<PortsFileEntry> wanted;
  if (text.ok()) {
    auto parsed = ParsePortsFile(*text, options_.ports_file);
    if (!parsed.ok()) {
      port_errors_.push_back(parsed.status().message());
      spdlog::error("network '{}': {}; ports unchanged", options_.network, parsed.status().ToString());
      return;
    }
    wanted = std::move(parsed).value();
  }
  auto endpoint = [&](uint16_t port) {
    auto e = Endpoint::Parse(options_.udp_address + ":" + std::to_string(port));
    return e.ok() ? *e : Endpoint{};
  };
  // Close what is no longer wanted (or wanted with another remote end or label).
  for (uint32_t i = 0; i < ports_.size(); ++i) {
    LocalPort& p = ports_[i];
    if (!p.udp || !p.from_ports_file) continue;
    bool keep = false;
    for (const auto& w : wanted) {
      keep = keep || (p.udp->local().port == w.local && p.remote == endpoint(w.remote) && p.label == w.label);
    }
    if (!keep) CloseVmPort(i);
  }
  for (const auto& w : wanted) {
    bool open = false;
    for (const auto& p : ports_)
      open = open || (p.udp && p.from_ports_file && p.udp->local().port == w.local);
    if (open) continue;
    VmPortSpec spec{endpoint(w.local), endpoint(w.remote), w.label};
    if (!spec.local.valid()) {
      port_errors_.push_back(std::to_string(w.local) + ":" + std::to_string(w.remote) +
                             ": bad --udp-address '" + options_.udp_address + "'");
      continue;
    }
    if (Status s = OpenVmPort(spec, true); !s.ok()) {
      port_errors_.push_back(std::to_string(w.local) + ":" + std::to_string(w.remote) + ": " + s.message());
      spdlog::error("network '{}': {}", options_.network, s.ToString());
      continue;
    }
    spdlog::info("network '{}': opened port {}{}", options_.network, ports_.back().name,
                 w.label.empty() ? "" : " (" + w.label + ")");
  }
}

SwitchDaemon::~SwitchDaemon() = default;

void SwitchDaemon::ToLocal(uint32_t port, const VnetHdr& vnet, std::span<const uint8_t> frame) {
  if (port >= ports_.size() || !ports_[port].open()) return;
  LocalPort& p = ports_[port];
  if (p.tap && p.tap->vnet_hdr()) {
    uint8_t hdr[kVnetHdrSize];
    vnet.Store(hdr);
    if (!p.tap->Write(hdr, frame)) {
      switch_->mutable_counters().drop_tx_error++;
    }
    return;
  }
  auto emit = [&](std::span<const uint8_t> f) {
    bool ok = true;
    if (p.tap) {
      ok = p.tap->Write(nullptr, f);
    } else {
      sockaddr_storage sa;
      const socklen_t len = p.remote.ToSockaddr(sa);
      ok = ::sendto(p.udp->fd(), f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&sa), len) >= 0;
    }
    if (!ok) switch_->mutable_counters().drop_tx_error++;
  };
  if (vnet.plain()) {
    emit(frame);
  } else if (!ResolveOffloads(vnet, frame, scratch_, emit)) {
    switch_->mutable_counters().drop_offload++;
  }
}

void SwitchDaemon::ToPeer(const Endpoint& to, std::span<const uint8_t> message) {
  if (message.size() <= max_datagram_) {
    peer_socket_->Queue(to, message);
    return;
  }
  if (frag_used_ == frag_bufs_.size()) frag_bufs_.emplace_back();
  std::vector<uint8_t>& buf = frag_bufs_[frag_used_++];
  const size_t seg = BuildFragments(message, max_datagram_, ++frag_id_, buf);
  if (seg == 0) {
    switch_->mutable_counters().drop_oversized++;
    return;
  }
  ++fragmented_messages_;
  const size_t per_send = std::min(kMaxGsoSegments, kMaxGsoBytes / seg) * seg;
  for (size_t off = 0; off < buf.size(); off += per_send) {
    const auto part = std::span<const uint8_t>(buf).subspan(off, std::min(per_send, buf.size() - off));
    peer_socket_->Queue(to, part, seg);
  }
}

void SwitchDaemon::FlushPeers() {
  const size_t failed = peer_socket_->Flush();
  if (failed > 0) switch_->mutable_counters().drop_tx_error += failed;
  frag_used_ = 0;
}

void SwitchDaemon::OnPeerReadable(TimeNs now) {
  for (int round = 0; round < 8; ++round) {
    const int n = peer_socket_->ReceiveBatch(kPeerBatch, kPeerBufSize, rx_);
    if (n <= 0) break;
    for (auto& r : rx_) {
      for (size_t off = 0; off < r.data.size(); off += r.segment) {
        switch_->OnDatagram(r.from, r.data.subspan(off, std::min(r.segment, r.data.size() - off)), now);
      }
    }
    FlushPeers();  // control replies
    if (static_cast<size_t>(n) < kPeerBatch) break;
  }
}

void SwitchDaemon::OnTapReadable(uint32_t port, TimeNs now) {
  TapDevice& tap = *ports_[port].tap;
  for (int round = 0; round < 4; ++round) {
    size_t got = 0;
    for (; got < kTapBatch; ++got) {
      uint8_t* buf = frame_bufs_[got].data();
      const ssize_t n = tap.Read(buf + kHeadroom, kMaxFrameRead);
      if (n <= 0) break;
      switch_->OnLocalFrame(port, buf, static_cast<size_t>(n), tap.vnet_hdr(), now);
    }
    FlushPeers();
    if (got < kTapBatch) break;
  }
}

void SwitchDaemon::OnVmReadable(uint32_t port, TimeNs now) {
  UdpSocket& s = *ports_[port].udp;
  for (int round = 0; round < 4; ++round) {
    const int n = s.ReceiveBatch(kPeerBatch, static_cast<size_t>(mtu_) + 18 + 1, rx_, kHeadroom, kTailroom);
    if (n <= 0) break;
    for (auto& r : rx_) {
      if (!(r.from == ports_[port].remote)) continue;  // only QEMU's end may send on a VM port
      switch_->OnLocalFrame(port, r.data.data() - kHeadroom, r.data.size(), false, now);
    }
    FlushPeers();
    if (static_cast<size_t>(n) < kPeerBatch) break;
  }
}

void SwitchDaemon::LogEvents(TimeNs now) {
  const auto events = switch_->TakeEvents();
  for (const auto& e : events) {
    if (e.kind == MembershipEvent::Kind::kAdded) {
      spdlog::info("network '{}': peer {} ({}) added: {}", options_.network, e.endpoint.ToString(),
                   Hex64(e.id), e.reason);
    } else {
      spdlog::info("network '{}': peer {} ({}) removed: {}", options_.network, e.endpoint.ToString(),
                   Hex64(e.id), e.reason);
    }
  }
  if (!events.empty()) WriteStatus(now);  // membership changes show at once
}

void SwitchDaemon::WriteStatus(TimeNs now) {
  if (options_.status_file.empty()) return;
  nlohmann::json j;
  const Membership& m = switch_->membership();
  j["network"] = options_.network;
  j["pid"] = static_cast<int64_t>(::getpid());
  j["network_id"] = switch_->key().id;
  j["session"] = Hex64(switch_->session_id());
  j["listen"] = peer_socket_->local().ToString();
  j["state"] = std::string(SelfStateName(m.state()));
  j["mtu"] = mtu_;
  j["encrypted"] = options_.encrypt;
  j["cipher"] = switch_->key().aes ? "aes-256-gcm" : "xchacha20-poly1305";
  j["udp_gso"] = peer_socket_->gso();
  j["udp_gro"] = peer_socket_->gro();
  j["peers"] = nlohmann::json::array();
  for (const auto& p : m.peers()) {
    j["peers"].push_back({{"session", Hex64(p.id)},
                          {"endpoint", p.endpoint.ToString()},
                          {"state", std::string(PeerStateName(p.state))},
                          {"port", PortId::Peer(p.index).ToString()},
                          {"silent_ms", (now - p.last_heard) / kNsPerMs}});
  }
  j["ports"] = nlohmann::json::array();
  for (uint32_t i = 0; i < ports_.size(); ++i) {
    const LocalPort& p = ports_[i];
    if (!p.open()) continue;
    nlohmann::json port = {{"port", PortId::Local(i).ToString()}, {"name", p.name}};
    if (p.udp) {
      port["kind"] = "vm";
      port["local"] = p.udp->local().port;
      port["remote"] = p.remote.port;
      port["label"] = p.label;
    } else {
      port["kind"] = "tap";
    }
    j["ports"].push_back(port);
  }
  j["port_errors"] = port_errors_;
  j["macs"] = nlohmann::json::array();
  for (const auto& e : switch_->mac_table().Snapshot()) {
    std::string where = e.port.ToString();
    if (e.port.is_peer()) {
      for (const auto& p : m.peers()) {
        if (p.index == e.port.index) where += " " + p.endpoint.ToString();
      }
    } else if (e.port.index < ports_.size() && ports_[e.port.index].open()) {
      where += " " + ports_[e.port.index].name;
    }
    j["macs"].push_back(
        {{"mac", e.mac.ToString()}, {"port", where}, {"age_ms", (now - e.last_seen) / kNsPerMs}});
  }
  nlohmann::json c;
  for (const auto& [name, v] : switch_->counters().Items()) c[std::string(name)] = v;
  c["fragmented_messages"] = fragmented_messages_;
  j["counters"] = c;
  const Status s = WriteFileAtomic(options_.status_file, j.dump(2) + "\n");
  if (!s.ok()) spdlog::warn("network '{}': status file: {}", options_.network, s.ToString());
}

Status SwitchDaemon::Run() {
  const std::string what = "network '" + options_.network + "'";
  UniqueFd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!timer.valid()) return Status::IoError(what + ": timerfd_create: " + std::strerror(errno));
  itimerspec its{};
  its.it_interval.tv_nsec = 100 * kNsPerMs;
  its.it_value.tv_nsec = 1;
  ::timerfd_settime(timer.get(), 0, &its, nullptr);
  const sigset_t mask = HandledSignals();
  signal(SIGPIPE, SIG_IGN);
  UniqueFd sig(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!sig.valid()) return Status::IoError(what + ": signalfd: " + std::strerror(errno));
  TERN_RETURN_IF_ERROR(Watch(peer_socket_->fd(), kTagPeer));
  TERN_RETURN_IF_ERROR(Watch(timer.get(), kTagTimer));
  TERN_RETURN_IF_ERROR(Watch(sig.get(), kTagSignal));
  size_t open_ports = 0;
  for (const auto& p : ports_) open_ports += p.open() ? 1 : 0;
  spdlog::info("{}: listening on {}, MTU {}, {} local port(s), {} {}", what, peer_socket_->local().ToString(),
               mtu_, open_ports, switch_->key().aes ? "AES-256-GCM" : "XChaCha20-Poly1305",
               options_.encrypt ? "authentication + encryption" : "authentication only");
  for (const auto& p : ports_) {
    if (p.open()) spdlog::info("{}: port {}{}", what, p.name, p.label.empty() ? "" : " (" + p.label + ")");
  }
  TimeNs now = Now();
  for (const auto& seed : options_.join) switch_->Join(seed, now);
  FlushPeers();
  TimeNs last_status = 0;
  epoll_event events[16];
  for (;;) {
    const int n = ::epoll_wait(epoll_.get(), events, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(what + ": epoll_wait: " + std::strerror(errno));
    }
    now = Now();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kTagPeer) {
        OnPeerReadable(now);
      } else if (tag == kTagTimer) {
        uint64_t ticks;
        while (::read(timer.get(), &ticks, sizeof ticks) > 0) {
        }
        switch_->Tick(now);
        FlushPeers();
        LogEvents(now);
        if (now - last_status >= kNsPerSec) {
          last_status = now;
          WriteStatus(now);
        }
      } else if (tag == kTagSignal) {
        signalfd_siginfo si;
        bool stop = false;
        bool reload = false;
        while (::read(sig.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
          (si.ssi_signo == SIGHUP ? reload : stop) = true;
        }
        if (reload && !options_.ports_file.empty()) {
          ReloadPorts();
          WriteStatus(now);  // ternd waits for its ports to show here
        }
        if (!stop) continue;
        spdlog::info("{}: leaving", what);
        switch_->Leave();
        FlushPeers();
        LogEvents(now);
        WriteStatus(now);
        return Status::Ok();
      } else if (tag >= kTagPortBase) {
        const auto port = static_cast<uint32_t>(tag - kTagPortBase);
        if (port >= ports_.size() || !ports_[port].open()) continue;  // closed earlier in this batch
        if (ports_[port].tap) {
          OnTapReadable(port, now);
        } else {
          OnVmReadable(port, now);
        }
      }
    }
  }
}

}  // namespace tern::net
