#include "net/network_switch.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <map>

namespace tern::net {
namespace {

const MacAddress kVm1{{0x52, 0x54, 0, 0, 0, 1}};
const MacAddress kVm2{{0x52, 0x54, 0, 0, 0, 2}};
const MacAddress kVm3{{0x52, 0x54, 0, 0, 0, 3}};

std::vector<uint8_t> Frame(const MacAddress& dst, const MacAddress& src, size_t size = 60) {
  std::vector<uint8_t> f(size, 0xab);
  std::memcpy(f.data(), dst.bytes.data(), 6);
  std::memcpy(f.data() + 6, src.bytes.data(), 6);
  f[12] = 0x08;
  f[13] = 0x00;
  return f;
}

NetworkKey Key(const std::string& name = "blue") {
  return *NetworkKey::Derive(name, std::vector<uint8_t>(32, 3), false);
}

// A small fabric: daemons at Ep(i); ToPeer queues datagrams that Run() delivers.
struct Fabric;
struct Node : SwitchIo {
  Node(Fabric& f, int i, NetworkKey key)
      : fabric(f), index(i), sw(std::move(key), 1000 + i, Config(), *this) {}
  static SwitchConfig Config() {
    SwitchConfig c;
    c.mtu = 1500;
    c.membership.heartbeat_interval = 100;
    c.membership.suspect_after = 300;
    c.membership.dead_after = 600;
    return c;
  }
  void ToLocal(uint32_t port, const VnetHdr&, std::span<const uint8_t> frame) override {
    local_out[port].emplace_back(frame.begin(), frame.end());
  }
  void ToPeer(const Endpoint& to, std::span<const uint8_t> message) override;
  void Inject(uint32_t port, const std::vector<uint8_t>& frame, TimeNs now) {
    std::vector<uint8_t> buf(kHeadroom + frame.size() + kTailroom);
    std::memcpy(buf.data() + kHeadroom, frame.data(), frame.size());
    sw.OnLocalFrame(port, buf.data(), frame.size(), false, now);
  }
  Fabric& fabric;
  int index;
  NetworkSwitch sw;
  std::map<uint32_t, std::vector<std::vector<uint8_t>>> local_out;
  size_t sent = 0;
};

Endpoint Ep(int i) {
  return Endpoint::V4(0x0a000000u + static_cast<uint32_t>(i), 7000);
}

struct Fabric {
  std::vector<std::unique_ptr<Node>> nodes;
  std::deque<std::tuple<int, Endpoint, std::vector<uint8_t>>> wire;  // from, to, bytes
  std::vector<std::vector<uint8_t>> captured;                        // every datagram seen on the wire
  void Run(TimeNs now) {
    while (!wire.empty()) {
      auto [from, to, bytes] = std::move(wire.front());
      wire.pop_front();
      for (auto& n : nodes) {
        if (Ep(n->index) == to) n->sw.OnDatagram(Ep(from), bytes, now);
      }
    }
  }
};

void Node::ToPeer(const Endpoint& to, std::span<const uint8_t> message) {
  ++sent;
  fabric.captured.emplace_back(message.begin(), message.end());
  fabric.wire.emplace_back(index, to, std::vector<uint8_t>(message.begin(), message.end()));
}

class NetworkSwitchTest : public ::testing::Test {
 protected:
  // Three daemons of "blue", each with two local ports, joined through node 0.
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      f_.nodes.push_back(std::make_unique<Node>(f_, i, Key()));
      f_.nodes[i]->sw.AddLocalPort(0);
      f_.nodes[i]->sw.AddLocalPort(1);
    }
    f_.nodes[1]->sw.Join(Ep(0), 0);
    f_.Run(0);
    f_.nodes[2]->sw.Join(Ep(0), 0);
    f_.Run(0);
    for (auto& n : f_.nodes) ASSERT_EQ(n->sw.membership().peers().size(), 2u);
  }
  Node& N(int i) { return *f_.nodes[i]; }
  Fabric f_;
};

TEST_F(NetworkSwitchTest, BroadcastFromLocalReachesEveryOtherPortOnceAndIsNotRelayed) {
  const size_t sent0 = N(0).sent;
  N(0).Inject(0, Frame(MacAddress::Broadcast(), kVm1), 1);
  EXPECT_EQ(N(0).local_out[1].size(), 1u);  // other local port
  EXPECT_EQ(N(0).local_out[0].size(), 0u);  // not back to the sender
  EXPECT_EQ(N(0).sent, sent0 + 2);          // one per peer
  const size_t sent1 = N(1).sent, sent2 = N(2).sent;
  f_.Run(1);
  for (int i : {1, 2}) {
    EXPECT_EQ(N(i).local_out[0].size(), 1u);
    EXPECT_EQ(N(i).local_out[1].size(), 1u);
  }
  EXPECT_EQ(N(1).sent, sent1);  // broadcast from a peer goes to local ports only
  EXPECT_EQ(N(2).sent, sent2);
}

TEST_F(NetworkSwitchTest, LearnsAndUnicastsAcrossDaemons) {
  N(0).Inject(0, Frame(MacAddress::Broadcast(), kVm1), 1);  // ARP request from vm1 on node 0
  f_.Run(1);
  N(2).Inject(1, Frame(kVm1, kVm3), 2);     // reply from vm3 on node 2: unicast to node 0 only
  EXPECT_EQ(N(2).local_out[0].size(), 1u);  // flood copy? no: vm1 is known -> not to local ports
  f_.Run(2);
  EXPECT_EQ(N(0).local_out[0].size(), 1u);
  EXPECT_EQ(N(1).local_out[0].size(), 1u);  // only the broadcast, not the unicast
  N(0).Inject(0, Frame(kVm3, kVm1), 3);
  f_.Run(3);
  EXPECT_EQ(N(2).local_out[1].size(), 2u);  // broadcast + the unicast to vm3
  EXPECT_EQ(N(2).local_out[0].size(), 1u);  // only the broadcast
}

TEST_F(NetworkSwitchTest, MigratedMacRelearnedFromAnnounce) {
  N(0).Inject(0, Frame(MacAddress::Broadcast(), kVm1), 1);
  f_.Run(1);
  EXPECT_EQ(N(2).sw.mac_table().Lookup(kVm1, 1)->kind, PortKind::kPeer);
  // vm1 migrates to node 1 and announces itself (RARP/GARP broadcast).
  N(1).Inject(0, Frame(MacAddress::Broadcast(), kVm1), 2);
  f_.Run(2);
  for (int i : {0, 2}) {
    auto p = N(i).sw.mac_table().Lookup(kVm1, 2);
    ASSERT_TRUE(p.has_value());
    EXPECT_TRUE(p->is_peer());
    EXPECT_GE(N(i).sw.counters().mac_moves, 1u);
  }
  EXPECT_FALSE(N(1).sw.mac_table().Lookup(kVm1, 2)->is_peer());
}

TEST_F(NetworkSwitchTest, DropsAndCountsBadInput) {
  auto& c = N(0).sw.counters();
  std::vector<uint8_t> junk(10, 1);
  N(0).sw.OnDatagram(Ep(1), junk, 1);
  EXPECT_EQ(c.drop_truncated, 1u);
  // Another network's traffic (same secret, other name) and a forger (same name, other secret).
  Fabric other;
  other.nodes.push_back(std::make_unique<Node>(other, 5, Key("red")));
  other.nodes.push_back(
      std::make_unique<Node>(other, 6, *NetworkKey::Derive("blue", std::vector<uint8_t>(32, 9), false)));
  other.nodes[0]->sw.AddLocalPort(0);
  other.nodes[0]->sw.Join(Ep(0), 0);
  other.nodes[1]->sw.Join(Ep(0), 0);
  for (auto& d : other.captured) N(0).sw.OnDatagram(Ep(5), d, 1);
  EXPECT_EQ(c.drop_wrong_network, 1u);
  EXPECT_EQ(c.drop_bad_auth, 1u);
  EXPECT_EQ(N(0).sw.membership().peers().size(), 2u);
  // Replay of a captured valid message.
  N(1).Inject(0, Frame(MacAddress::Broadcast(), kVm2), 1);
  auto replay = f_.wire.back();
  f_.Run(1);
  auto bytes = std::get<2>(replay);
  N(std::get<1>(replay) == Ep(0) ? 0 : 2).sw.OnDatagram(Ep(1), bytes, 2);
  EXPECT_EQ(N(0).sw.counters().drop_replay + N(2).sw.counters().drop_replay, 1u);
  // Malformed local frames and oversized frames.
  N(0).Inject(0, std::vector<uint8_t>(8, 0), 3);
  EXPECT_EQ(c.drop_bad_frame, 1u);
  N(0).Inject(0, Frame(kVm2, kVm1, 1600), 3);
  EXPECT_EQ(c.drop_oversized, 1u);
}

TEST_F(NetworkSwitchTest, FailedPeerIsRemovedAndItsMacsForgotten) {
  N(2).Inject(0, Frame(MacAddress::Broadcast(), kVm3), 1);
  f_.Run(1);
  ASSERT_TRUE(N(0).sw.mac_table().Lookup(kVm3, 1).has_value());
  // Node 2 vanishes; nodes 0 and 1 keep ticking.
  for (TimeNs t = 100; t <= 1000; t += 100) {
    N(0).sw.Tick(t);
    N(1).sw.Tick(t);
    f_.wire.erase(
        std::remove_if(f_.wire.begin(), f_.wire.end(),
                       [](const auto& w) { return std::get<1>(w) == Ep(2) || std::get<0>(w) == 2; }),
        f_.wire.end());
    f_.Run(t);
  }
  EXPECT_EQ(N(0).sw.membership().peers().size(), 1u);
  EXPECT_FALSE(N(0).sw.mac_table().Lookup(kVm3, 1000).has_value());
  auto ev = N(0).sw.TakeEvents();
  EXPECT_FALSE(ev.empty());
}

TEST_F(NetworkSwitchTest, LargeOffloadedFrameCarriesVnetHeader) {
  std::vector<uint8_t> frame = Frame(kVm2, kVm1, 30000);
  std::vector<uint8_t> buf(kHeadroom + kVnetHdrSize + frame.size() + kTailroom);
  VnetHdr v;
  v.flags = kVnetFlagNeedsCsum;
  v.gso_type = kVnetGsoTcpV4;
  v.gso_size = 1448;
  v.Store(buf.data() + kHeadroom);
  std::memcpy(buf.data() + kHeadroom + kVnetHdrSize, frame.data(), frame.size());
  N(0).sw.OnLocalFrame(0, buf.data(), kVnetHdrSize + frame.size(), true, 1);
  f_.Run(1);
  ASSERT_EQ(N(1).local_out[0].size(), 1u);
  EXPECT_EQ(N(1).local_out[0][0], frame);
}

}  // namespace
}  // namespace tern::net
