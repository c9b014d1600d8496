#include "net/forwarding.h"

#include <gtest/gtest.h>

namespace tern::net {
namespace {

const MacAddress kLocalVm{{0x52, 0x54, 0, 0, 0, 1}};
const MacAddress kRemoteVm{{0x52, 0x54, 0, 0, 0, 2}};
const MacAddress kOtherRemote{{0x52, 0x54, 0, 0, 0, 3}};
const MacAddress kUnknown{{0x52, 0x54, 0, 0, 0, 9}};

class ForwardingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_.Learn(kLocalVm, PortId::Local(0), 0);
    table_.Learn(kRemoteVm, PortId::Peer(1), 0);
    table_.Learn(kOtherRemote, PortId::Peer(2), 0);
  }
  MacTable table_{100 * kNsPerSec, 100};
};

TEST_F(ForwardingTest, BroadcastFromLocalPortGoesToPeersAndOtherLocals) {
  const auto d = Decide(table_, PortId::Local(0), MacAddress::Broadcast(), 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kFlood);
  EXPECT_TRUE(d.to_peers);
}

TEST_F(ForwardingTest, BroadcastFromPeerGoesToLocalPortsOnly) {
  const auto d = Decide(table_, PortId::Peer(1), MacAddress::Broadcast(), 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kFlood);
  EXPECT_FALSE(d.to_peers);
}

TEST_F(ForwardingTest, UnknownUnicastFollowsTheBroadcastRule) {
  EXPECT_TRUE(Decide(table_, PortId::Local(1), kUnknown, 1).to_peers);
  EXPECT_FALSE(Decide(table_, PortId::Peer(2), kUnknown, 1).to_peers);
  const auto mc = Decide(table_, PortId::Peer(2), *MacAddress::Parse("33:33:00:00:00:01"), 1);
  EXPECT_EQ(mc.action, ForwardDecision::Action::kFlood);
  EXPECT_FALSE(mc.to_peers);
}

TEST_F(ForwardingTest, KnownUnicast) {
  auto d = Decide(table_, PortId::Local(0), kRemoteVm, 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kUnicast);
  EXPECT_EQ(d.port, PortId::Peer(1));
  d = Decide(table_, PortId::Peer(1), kLocalVm, 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kUnicast);
  EXPECT_EQ(d.port, PortId::Local(0));
}

TEST_F(ForwardingTest, NeverRelaysPeerToPeerAndFiltersSamePort) {
  auto d = Decide(table_, PortId::Peer(1), kOtherRemote, 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kDrop);
  EXPECT_EQ(d.reason, "peer to peer");
  d = Decide(table_, PortId::Local(0), kLocalVm, 1);
  EXPECT_EQ(d.action, ForwardDecision::Action::kDrop);
  EXPECT_EQ(d.reason, "same port");
}

TEST_F(ForwardingTest, AgedDestinationIsFlooded) {
  const auto d = Decide(table_, PortId::Local(0), kRemoteVm, 200 * kNsPerSec);
  EXPECT_EQ(d.action, ForwardDecision::Action::kFlood);
}

}  // namespace
}  // namespace tern::net
