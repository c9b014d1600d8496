#include "net/mac_table.h"

#include <gtest/gtest.h>

namespace tern::net {
namespace {

const MacAddress kA{{0x52, 0x54, 0, 0, 0, 1}};
const MacAddress kB{{0x52, 0x54, 0, 0, 0, 2}};

TEST(MacAddressTest, ParsesAndFormats) {
  auto m = MacAddress::Parse("52:54:00:AB:cd:0f");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->ToString(), "52:54:00:ab:cd:0f");
  EXPECT_FALSE(MacAddress::Parse("52:54:00:ab:cd").has_value());
  EXPECT_FALSE(MacAddress::Parse("52:54:00:ab:cd:0g").has_value());
  EXPECT_TRUE(MacAddress::Broadcast().IsMulticast());
  EXPECT_TRUE(MacAddress::Parse("01:00:5e:00:00:01")->IsMulticast());
  EXPECT_FALSE(kA.IsMulticast());
}

TEST(MacTableTest, LearnsLooksUpAndAges) {
  MacTable t(10 * kNsPerSec, 100);
  EXPECT_EQ(t.Learn(kA, PortId::Local(0), 0), LearnResult::kNew);
  EXPECT_EQ(t.Lookup(kA, 5 * kNsPerSec), PortId::Local(0));
  EXPECT_FALSE(t.Lookup(kB, 0).has_value());
  EXPECT_EQ(t.Learn(kA, PortId::Local(0), 8 * kNsPerSec), LearnResult::kRefreshed);
  EXPECT_EQ(t.Lookup(kA, 17 * kNsPerSec), PortId::Local(0));  // refreshed at 8 s
  EXPECT_FALSE(t.Lookup(kA, 19 * kNsPerSec).has_value());     // aged
  EXPECT_EQ(t.Expire(19 * kNsPerSec), 1u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(MacTableTest, MovesOnFirstFrameFromNewPort) {
  MacTable t(10 * kNsPerSec, 100);
  t.Learn(kA, PortId::Local(0), 0);
  EXPECT_EQ(t.Learn(kA, PortId::Peer(3), 1), LearnResult::kMoved);
  EXPECT_EQ(t.Lookup(kA, 2), PortId::Peer(3));
}

TEST(MacTableTest, AgedEntryRelearnedIsNew) {
  MacTable t(10, 100);
  t.Learn(kA, PortId::Local(0), 0);
  EXPECT_EQ(t.Learn(kA, PortId::Local(1), 100), LearnResult::kNew);
}

TEST(MacTableTest, BoundedAndForgetsPorts) {
  MacTable t(10 * kNsPerSec, 2);
  t.Learn(kA, PortId::Peer(1), 0);
  t.Learn(kB, PortId::Peer(2), 0);
  EXPECT_EQ(t.Learn(MacAddress{{2, 0, 0, 0, 0, 9}}, PortId::Local(0), 1), LearnResult::kTableFull);
  EXPECT_EQ(t.ForgetPort(PortId::Peer(1)), 1u);
  EXPECT_FALSE(t.Lookup(kA, 1).has_value());
  EXPECT_EQ(t.Lookup(kB, 1), PortId::Peer(2));
}

}  // namespace
}  // namespace tern::net
