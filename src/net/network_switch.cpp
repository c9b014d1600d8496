#include "net/network_switch.h"

#include <algorithm>
#include <cstring>

#include "net/forwarding.h"
#include "net/frame_parser.h"

namespace tern::net {

NetworkSwitch::NetworkSwitch(NetworkKey key, uint64_t session_id, SwitchConfig config, SwitchIo& io)
    : key_(std::move(key)),
      session_id_(session_id),
      config_(config),
      io_(io),
      macs_(config.mac_max_age, config.mac_max_entries),
      membership_(session_id, config.membership) {}

void NetworkSwitch::AddLocalPort(uint32_t port) {
  if (std::find(local_ports_.begin(), local_ports_.end(), port) == local_ports_.end())
    local_ports_.push_back(port);
}

void NetworkSwitch::RemoveLocalPort(uint32_t port) {
  std::erase(local_ports_, port);
  macs_.ForgetPort(PortId::Local(port));
}

void NetworkSwitch::FloodLocal(uint32_t except, const VnetHdr& vnet, std::span<const uint8_t> frame) {
  for (uint32_t p : local_ports_) {
    if (p == except) continue;
    io_.ToLocal(p, vnet, frame);
    ++counters_.tx_local_frames;
  }
}

void NetworkSwitch::OnLocalFrame(uint32_t port, uint8_t* buf, size_t payload_len, bool has_vnet, TimeNs now) {
  ++counters_.rx_local_frames;
  counters_.rx_local_bytes += payload_len;
  uint8_t* payload = buf + kHeadroom;
  VnetHdr vnet;
  size_t frame_off = 0;
  if (has_vnet) {
    if (payload_len < kVnetHdrSize) {
      ++counters_.drop_bad_frame;
      return;
    }
    vnet = VnetHdr::Load(payload);
    frame_off = kVnetHdrSize;
  }
  const std::span<const uint8_t> frame(payload + frame_off, payload_len - frame_off);
  FrameInfo info;
  const FrameError fe = ParseFrame(frame, MaxFrame(vnet), info);
  if (fe == FrameError::kOversized) {
    ++counters_.drop_oversized;
    return;
  }
  if (fe != FrameError::kNone) {
    ++counters_.drop_bad_frame;
    return;
  }
  const PortId ingress = PortId::Local(port);
  switch (macs_.Learn(info.src, ingress, now)) {
    case LearnResult::kMoved:
      ++counters_.mac_moves;
      break;
    case LearnResult::kTableFull:
      ++counters_.drop_mac_table_full;
      break;
    default:
      break;
  }
  const ForwardDecision d = Decide(macs_, ingress, info.dst, now);
  const Peer* unicast_peer = nullptr;
  switch (d.action) {
    case ForwardDecision::Action::kDrop:
      ++counters_.drop_filtered;
      return;
    case ForwardDecision::Action::kUnicast:
      if (!d.port.is_peer()) {
        io_.ToLocal(d.port.index, vnet, frame);
        ++counters_.tx_local_frames;
        return;
      }
      for (const auto& p : membership_.peers()) {
        if (p.index == d.port.index) unicast_peer = &p;
      }
      if (unicast_peer == nullptr) {  // the peer is gone; its entries are being forgotten
        macs_.ForgetPort(d.port);
        break;
      }
      break;
    case ForwardDecision::Action::kFlood:
      break;
  }
  const bool flood = unicast_peer == nullptr;
  if (flood) {
    ++counters_.flooded_frames;
    FloodLocal(port, vnet, frame);  // before sealing: encryption rewrites the payload in place
    if (membership_.peers().empty()) return;
  }
  // Strip a plain virtio header: the peer gets the bare frame.
  uint8_t* seal_at = buf;
  size_t seal_len = payload_len;
  SealedHeader h;
  h.type = MessageType::kData;
  h.network_id = key_.id;
  h.sender_id = session_id_;
  h.sequence = ++sequence_;
  if (has_vnet && vnet.plain()) {
    seal_at = buf + kVnetHdrSize;
    seal_len = payload_len - kVnetHdrSize;
  } else if (has_vnet) {
    h.flags |= kFlagVnetHdr;
  }
  const size_t n = Seal(key_, h, seal_at, seal_len);
  const std::span<const uint8_t> msg(seal_at, n);
  if (!flood) {
    io_.ToPeer(unicast_peer->endpoint, msg);
    ++counters_.tx_peer_messages;
    return;
  }
  for (const auto& p : membership_.peers()) {
    io_.ToPeer(p.endpoint, msg);
    ++counters_.tx_peer_messages;
  }
}

void NetworkSwitch::OnDatagram(const Endpoint& from, std::span<uint8_t> datagram, TimeNs now) {
  counters_.rx_peer_bytes += datagram.size();
  if (datagram.size() >= 2 && datagram[1] == static_cast<uint8_t>(MessageType::kFragment)) {
    switch (reassembler_.Add(from, datagram, now)) {
      case ReassemblyResult::kDropped:
        ++counters_.drop_bad_fragment;
        return;
      case ReassemblyResult::kIncomplete:
        return;
      case ReassemblyResult::kComplete:
        OnMessage(from, reassembler_.message(), now);
        return;
    }
    return;
  }
  OnMessage(from, datagram, now);
}

void NetworkSwitch::OnMessage(const Endpoint& from, std::span<uint8_t> message, TimeNs now) {
  ++counters_.rx_peer_messages;
  SealedHeader h;
  size_t off = 0;
  size_t len = 0;
  switch (Open(key_, message, h, off, len)) {
    case OpenError::kNone:
      break;
    case OpenError::kTruncated:
      ++counters_.drop_truncated;
      return;
    case OpenError::kBadVersion:
      ++counters_.drop_bad_version;
      return;
    case OpenError::kWrongNetwork:
      ++counters_.drop_wrong_network;
      return;
    case OpenError::kBadAuth:
      ++counters_.drop_bad_auth;
      return;
  }
  if (h.sender_id == session_id_) {  // our own message reflected back
    ++counters_.drop_replay;
    return;
  }
  if (!membership_.AcceptSequence(h.sender_id, h.sequence)) {
    ++counters_.drop_replay;
    return;
  }
  const std::span<const uint8_t> payload(message.data() + off, len);
  if (h.type == MessageType::kControl) {
    ControlMessage cm;
    if (ParseControl(payload, cm) != ControlError::kNone) {
      ++counters_.drop_bad_control;
      return;
    }
    ++counters_.control_rx;
    Outbox out;
    membership_.OnControl(from, h.sender_id, cm, now, out);
    if (Peer* p = membership_.Find(h.sender_id)) p->replay.Accept(h.sequence);
    SendControl(out);
    ApplyMembershipEvents();
    return;
  }
  Peer* peer = membership_.OnData(from, h.sender_id, now);
  ApplyMembershipEvents();
  if (peer == nullptr) {
    ++counters_.drop_unknown_session;
    return;
  }
  peer->replay.Accept(h.sequence);
  VnetHdr vnet;
  size_t frame_off = 0;
  if ((h.flags & kFlagVnetHdr) != 0) {
    if (payload.size() < kVnetHdrSize) {
      ++counters_.drop_bad_frame;
      return;
    }
    vnet = VnetHdr::Load(payload.data());
    frame_off = kVnetHdrSize;
  }
  const std::span<const uint8_t> frame = payload.subspan(frame_off);
  FrameInfo info;
  const FrameError fe = ParseFrame(frame, MaxFrame(vnet), info);
  if (fe == FrameError::kOversized) {
    ++counters_.drop_oversized;
    return;
  }
  if (fe != FrameError::kNone) {
    ++counters_.drop_bad_frame;
    return;
  }
  const PortId ingress = PortId::Peer(peer->index);
  switch (macs_.Learn(info.src, ingress, now)) {
    case LearnResult::kMoved:
      ++counters_.mac_moves;
      break;
    case LearnResult::kTableFull:
      ++counters_.drop_mac_table_full;
      break;
    default:
      break;
  }
  const ForwardDecision d = Decide(macs_, ingress, info.dst, now);
  switch (d.action) {
    case ForwardDecision::Action::kDrop:
      if (d.reason == "peer to peer") {
        ++counters_.drop_peer_to_peer;
      } else {
        ++counters_.drop_filtered;
      }
      return;
    case ForwardDecision::Action::kUnicast:
      io_.ToLocal(d.port.index, vnet, frame);
      ++counters_.tx_local_frames;
      return;
    case ForwardDecision::Action::kFlood:
      // From a peer: local ports only (seed 002's rule).
      ++counters_.flooded_frames;
      FloodLocal(UINT32_MAX, vnet, frame);
      return;
  }
}

void NetworkSwitch::SendControl(Outbox& out) {
  for (auto& o : out) {
    EncodeControl(o.msg, control_payload_);
    control_buf_.resize(kSealOverhead + control_payload_.size());
    std::memcpy(control_buf_.data() + kSealedHeaderSize, control_payload_.data(), control_payload_.size());
    SealedHeader h;
    h.type = MessageType::kControl;
    h.network_id = key_.id;
    h.sender_id = session_id_;
    h.sequence = ++sequence_;
    const size_t n = Seal(key_, h, control_buf_.data(), control_payload_.size());
    io_.ToPeer(o.to, std::span<const uint8_t>(control_buf_.data(), n));
    ++counters_.control_tx;
  }
  out.clear();
}

void NetworkSwitch::ApplyMembershipEvents() {
  for (auto& e : membership_.TakeEvents()) {
    if (e.kind == MembershipEvent::Kind::kRemoved) macs_.ForgetPort(PortId::Peer(e.index));
    events_.push_back(std::move(e));
  }
}

void NetworkSwitch::Tick(TimeNs now) {
  Outbox out;
  membership_.Tick(now, out);
  SendControl(out);
  ApplyMembershipEvents();
  if (now - last_expire_ > kNsPerSec) {
    last_expire_ = now;
    macs_.Expire(now);
    reassembler_.Expire(now, kNsPerSec);
  }
}

void NetworkSwitch::Join(const Endpoint& seed, TimeNs now) {
  Outbox out;
  membership_.Join(seed, now, out);
  SendControl(out);
}

void NetworkSwitch::Leave() {
  Outbox out;
  membership_.Leave(out);
  SendControl(out);
  ApplyMembershipEvents();
}

}  // namespace tern::net
