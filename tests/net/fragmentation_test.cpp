#include "net/fragmentation.h"

#include <gtest/gtest.h>

#include <numeric>

namespace tern::net {
namespace {

std::vector<std::vector<uint8_t>> Split(const std::vector<uint8_t>& train, size_t seg) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t off = 0; off < train.size(); off += seg) {
    out.emplace_back(train.begin() + static_cast<long>(off),
                     train.begin() + static_cast<long>(std::min(train.size(), off + seg)));
  }
  return out;
}

TEST(FragmentationTest, SplitsAndReassemblesInAnyOrder) {
  std::vector<uint8_t> msg(10000);
  std::iota(msg.begin(), msg.end(), 0);
  std::vector<uint8_t> train;
  const size_t seg = BuildFragments(msg, 1472, 7, train);
  ASSERT_EQ(seg, 1472u);
  auto frags = Split(train, seg);
  ASSERT_EQ(frags.size(), FragmentCount(msg.size(), 1472));
  std::swap(frags.front(), frags.back());  // last first
  std::swap(frags[1], frags[3]);
  Reassembler r;
  const Endpoint from = Endpoint::V4(0x0a000001, 7000);
  for (size_t i = 0; i + 1 < frags.size(); ++i)
    EXPECT_EQ(r.Add(from, frags[i], 0), ReassemblyResult::kIncomplete);
  ASSERT_EQ(r.Add(from, frags.back(), 0), ReassemblyResult::kComplete);
  EXPECT_EQ(std::vector<uint8_t>(r.message().begin(), r.message().end()), msg);
}

TEST(FragmentationTest, RejectsInconsistentFragmentsAndAbandonsOldMessages) {
  std::vector<uint8_t> msg(5000, 1);
  std::vector<uint8_t> train;
  const size_t seg = BuildFragments(msg, 1000, 1, train);
  auto frags = Split(train, seg);
  Reassembler r;
  const Endpoint from = Endpoint::V4(0x0a000001, 7000);
  EXPECT_EQ(r.Add(from, frags[0], 0), ReassemblyResult::kIncomplete);
  EXPECT_EQ(r.Add(from, frags[0], 0), ReassemblyResult::kDropped);  // duplicate
  auto bad = frags[1];
  bad.pop_back();
  EXPECT_EQ(r.Add(from, bad, 0), ReassemblyResult::kDropped);  // wrong size
  bad = frags[1];
  bad[3] = 9;  // other count
  EXPECT_EQ(r.Add(from, bad, 0), ReassemblyResult::kDropped);
  std::vector<uint8_t> train2;
  BuildFragments(msg, 1000, 2, train2);
  EXPECT_EQ(r.Add(from, Split(train2, seg)[0], 0), ReassemblyResult::kIncomplete);
  EXPECT_EQ(r.abandoned(), 1u);
  EXPECT_EQ(r.Expire(5 * kNsPerSec, kNsPerSec), 1u);
  FragmentHeader h;
  EXPECT_FALSE(ParseFragmentHeader(std::vector<uint8_t>{1, 3, 2, 2, 0, 0, 0, 0, 1}, h));  // index >= count
  EXPECT_FALSE(ParseFragmentHeader(std::vector<uint8_t>{1, 3, 0, 1, 0, 0, 0, 0, 1}, h));  // count 1
  EXPECT_EQ(FragmentCount(1000000, 1000), 0u);
}

}  // namespace
}  // namespace tern::net
