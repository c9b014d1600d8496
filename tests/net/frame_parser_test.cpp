#include "net/frame_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tern::net {
namespace {

std::vector<uint8_t> Frame(size_t size) {
  std::vector<uint8_t> f(std::max<size_t>(size, 14), 0);
  const uint8_t hdr[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0, 0, 1, 0x08, 0x06};
  std::copy(hdr, hdr + sizeof hdr, f.begin());
  f.resize(size);
  return f;
}

TEST(FrameParserTest, ParsesHeader) {
  auto f = Frame(60);
  FrameInfo info;
  ASSERT_EQ(ParseFrame(f, 1518, info), FrameError::kNone);
  EXPECT_TRUE(info.dst.IsBroadcast());
  EXPECT_EQ(info.src.ToString(), "52:54:00:00:00:01");
  EXPECT_EQ(info.ether_type, 0x0806);
  EXPECT_EQ(info.vlan, 0);
}

TEST(FrameParserTest, ParsesVlanTag) {
  auto f = Frame(64);
  f[12] = 0x81;
  f[13] = 0x00;
  f[14] = 0x00;
  f[15] = 0x2a;
  f[16] = 0x08;
  f[17] = 0x00;
  FrameInfo info;
  ASSERT_EQ(ParseFrame(f, 1518, info), FrameError::kNone);
  EXPECT_EQ(info.vlan, 42);
  EXPECT_EQ(info.ether_type, 0x0800);
  EXPECT_EQ(info.header_size, 18u);
  f.resize(16);
  EXPECT_EQ(ParseFrame(f, 1518, info), FrameError::kTruncated);
}

TEST(FrameParserTest, RejectsBadFrames) {
  FrameInfo info;
  auto f = Frame(13);
  EXPECT_EQ(ParseFrame(f, 1518, info), FrameError::kTruncated);
  f = Frame(1519);
  EXPECT_EQ(ParseFrame(f, 1518, info), FrameError::kOversized);
  f = Frame(60);
  f[6] = 0x01;  // multicast source
  EXPECT_EQ(ParseFrame(f, 1518, info), FrameError::kMulticastSource);
  f = Frame(60);
  std::fill(f.begin() + 6, f.begin() + 12, 0);
  EXPECT_EQ(ParseFrame(f, 1518, info), FrameError::kZeroSource);
  EXPECT_EQ(FrameErrorName(FrameError::kOversized), "oversized");
}

}  // namespace
}  // namespace tern::net
