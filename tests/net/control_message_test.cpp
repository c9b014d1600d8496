#include "net/control_message.h"

#include <gtest/gtest.h>

namespace tern::net {
namespace {

TEST(ControlMessageTest, RoundTrip) {
  ControlMessage m;
  m.kind = ControlKind::kMembers;
  m.members.push_back({0xabcdef, *Endpoint::Parse("10.0.0.1:7000")});
  m.members.push_back({42, *Endpoint::Parse("[fd00::5]:7001")});
  std::vector<uint8_t> buf;
  EncodeControl(m, buf);
  ControlMessage out;
  ASSERT_EQ(ParseControl(buf, out), ControlError::kNone);
  EXPECT_EQ(out.kind, ControlKind::kMembers);
  EXPECT_EQ(out.members, m.members);
}

TEST(ControlMessageTest, RejectsMalformed) {
  ControlMessage m;
  m.kind = ControlKind::kHeartbeat;
  m.members.push_back({1, *Endpoint::Parse("10.0.0.1:7000")});
  std::vector<uint8_t> buf;
  EncodeControl(m, buf);
  ControlMessage out;
  auto b = buf;
  b.pop_back();
  EXPECT_EQ(ParseControl(b, out), ControlError::kTruncated);
  b = buf;
  b.push_back(0);
  EXPECT_EQ(ParseControl(b, out), ControlError::kTrailing);
  b = buf;
  b[0] = 77;
  EXPECT_EQ(ParseControl(b, out), ControlError::kUnknownKind);
  b = buf;
  b[12] = 5;  // family
  EXPECT_EQ(ParseControl(b, out), ControlError::kBadEndpoint);
  b = buf;
  b[2] = 0xff;
  EXPECT_EQ(ParseControl(b, out), ControlError::kTooManyMembers);
  EXPECT_EQ(ParseControl(std::vector<uint8_t>{1}, out), ControlError::kTruncated);
}

TEST(EndpointTest, ParsesAndFormats) {
  auto e = Endpoint::Parse("10.1.2.3:4567");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ToString(), "10.1.2.3:4567");
  e = Endpoint::Parse("[::1]:80");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ToString(), "[::1]:80");
  EXPECT_FALSE(Endpoint::Parse("10.1.2.3").ok());
  EXPECT_FALSE(Endpoint::Parse("host:80").ok());
  EXPECT_FALSE(Endpoint::Parse("10.1.2.3:99999").ok());
  sockaddr_storage sa;
  Endpoint::Parse("10.1.2.3:4567")->ToSockaddr(sa);
  EXPECT_EQ(Endpoint::FromSockaddr(sa), *Endpoint::Parse("10.1.2.3:4567"));
}

}  // namespace
}  // namespace tern::net
