// Unit tests of DelayedSwitch, the logic of the simulated inter-site link (tern-simwire).
#include "sim_wire.h"

#include <gtest/gtest.h>

namespace tern::testing {
namespace {

using namespace std::chrono_literals;
constexpr size_t kHdr = 10;

// A frame with a zeroed virtio-net header, destination and source MACs (last byte varies) and a payload byte.
std::vector<uint8_t> Frame(uint8_t dst, uint8_t src, uint8_t payload, bool broadcast = false) {
  std::vector<uint8_t> f(kHdr + 14 + 1, 0);
  uint8_t* eth = f.data() + kHdr;
  for (int i = 0; i < 6; ++i) eth[i] = broadcast ? 0xff : (i == 5 ? dst : 0x02);
  for (int i = 0; i < 6; ++i) eth[6 + i] = i == 5 ? src : 0x02;
  eth[12] = 0x08;
  f.back() = payload;
  return f;
}

TEST(DelayedSwitch, HoldsEveryFrameForTheDelay) {
  DelayedSwitch sw(2, 10ms, kHdr, 1 << 20);
  const auto t0 = DelayedSwitch::Time{} + 1s;
  sw.Receive(0, Frame(2, 1, 7), t0);
  sw.Receive(0, Frame(2, 1, 8), t0 + 3ms);
  ASSERT_TRUE(sw.NextDue().has_value());
  EXPECT_EQ(*sw.NextDue(), t0 + 10ms);
  EXPECT_TRUE(sw.TakeDue(t0 + 9ms).empty());
  auto first = sw.TakeDue(t0 + 10ms);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].port, 1u);  // unknown destination: flooded to the only other port
  EXPECT_EQ(first[0].frame.back(), 7);
  EXPECT_EQ(*sw.NextDue(), t0 + 13ms);
  auto second = sw.TakeDue(t0 + 20ms);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].frame.back(), 8);
  EXPECT_FALSE(sw.NextDue().has_value());
  EXPECT_EQ(sw.queued_bytes(), 0u);
}

TEST(DelayedSwitch, LearnsWhereMacsAreAndFloodsTheRest) {
  DelayedSwitch sw(3, 0ms, kHdr, 1 << 20);
  const auto t = DelayedSwitch::Time{} + 1s;
  sw.Receive(0, Frame(0, 1, 1, /*broadcast=*/true), t);  // ARP request from MAC ..:01 behind port 0
  auto flood = sw.TakeDue(t);
  ASSERT_EQ(flood.size(), 2u);
  EXPECT_EQ(flood[0].port, 1u);
  EXPECT_EQ(flood[1].port, 2u);
  sw.Receive(2, Frame(1, 3, 2), t);  // reply from ..:03 behind port 2 to ..:01: only port 0
  auto reply = sw.TakeDue(t);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].port, 0u);
  sw.Receive(0, Frame(3, 1, 3), t);
  auto back = sw.TakeDue(t);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].port, 2u);
  sw.Receive(2, Frame(3, 4, 4), t);  // destination behind the input port: not carried
  EXPECT_TRUE(sw.TakeDue(t).empty());
}

TEST(DelayedSwitch, DropsRuntsAndFramesBeyondTheBuffer) {
  DelayedSwitch sw(2, 5ms, kHdr, 60);
  const auto t = DelayedSwitch::Time{} + 1s;
  sw.Receive(0, std::vector<uint8_t>(kHdr + 13, 0), t);
  EXPECT_EQ(sw.dropped(), 1u);
  sw.Receive(0, Frame(2, 1, 1), t);  // 25 bytes
  sw.Receive(0, Frame(2, 1, 2), t);  // 50 bytes
  sw.Receive(0, Frame(2, 1, 3), t);  // would be 75 > 60
  EXPECT_EQ(sw.dropped(), 2u);
  EXPECT_EQ(sw.TakeDue(t + 5ms).size(), 2u);
  EXPECT_THROW(sw.Receive(2, Frame(2, 1, 1), t), std::out_of_range);
}

}  // namespace
}  // namespace tern::testing
