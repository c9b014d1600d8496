// Transfer tokens: format and randomness, and every refusal of the registry — malformed, unknown, wrong peer,
// reused, expired, revoked — each distinct and none changing state; outcomes recorded for verification.
#include "transfer/token_registry.h"

#include <gtest/gtest.h>

#include <set>

namespace tern::transfer {
namespace {

using namespace std::chrono_literals;

Grant ConnectGrant() {
  Grant g;
  g.vm_id = "web-1";
  g.direction = Direction::kDestination;
  g.peer_site = "alpha";
  g.kind = GrantKind::kConnect;
  g.target = "10.0.0.5:49152";
  return g;
}

TEST(TransferTokenTest, FormatAndRoundTrip) {
  const TokenSecret t = TokenSecret::Random();
  const std::string text = t.ToString();
  EXPECT_EQ(text.size(), 4u + 64u);
  EXPECT_TRUE(text.starts_with("tt1-"));
  auto back = TokenSecret::Parse(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->selector, t.selector);
  EXPECT_EQ(back->verifier, t.verifier);
  for (const std::string& bad :
       {std::string(""), std::string("tt1-"), text.substr(0, 67), text + "0", "tt2-" + text.substr(4),
        "tt1-" + std::string(64, 'G'), "tt1-" + std::string(64, 'A')}) {
    auto p = TokenSecret::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok() && bad.size() > 10) {
      EXPECT_EQ(p.status().message().find(bad), std::string::npos) << "the token must not be echoed";
    }
  }
}

TEST(TransferTokenTest, TokensAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(TokenSecret::Random().ToString());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TransferTokenTest, GrantValidation) {
  EXPECT_TRUE(ValidateGrant(ConnectGrant()).ok());
  Grant g = ConnectGrant();
  g.vm_id = "";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g = ConnectGrant();
  g.vm_id = "a b";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g = ConnectGrant();
  g.peer_site = "Alpha";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g = ConnectGrant();
  g.target = "host.example:80";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g.target = "10.0.0.5:0";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g = ConnectGrant();
  g.connections = 0;
  EXPECT_FALSE(ValidateGrant(g).ok());
  g.connections = 65;
  EXPECT_FALSE(ValidateGrant(g).ok());
  g = ConnectGrant();
  g.kind = GrantKind::kReceiveFile;
  g.target = "relative/path";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g.target = "/var/lib/tern/../etc/passwd";
  EXPECT_FALSE(ValidateGrant(g).ok());
  g.target = "/var/lib/tern/images/web-1.qcow2";
  EXPECT_TRUE(ValidateGrant(g).ok());
  g.direction = Direction::kSource;
  EXPECT_FALSE(ValidateGrant(g).ok());  // receiving is the destination's job
  g.kind = GrantKind::kSendFile;
  EXPECT_TRUE(ValidateGrant(g).ok());
  g.connections = 2;
  EXPECT_FALSE(ValidateGrant(g).ok());
}

class TokenRegistryTest : public ::testing::Test {
 protected:
  TimePoint t0_ = TimePoint() + 1000h;
  TokenRegistry registry_{100, std::chrono::seconds(60)};
};

TEST_F(TokenRegistryTest, IssueAndRedeemOnceByTheRightPeer) {
  auto token = registry_.Issue(ConnectGrant(), 30s, t0_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  const Redemption r = registry_.Redeem(*token, "alpha", t0_ + 1s);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.grant, ConnectGrant());
  EXPECT_EQ(r.connection_index, 0u);
  const Redemption again = registry_.Redeem(*token, "alpha", t0_ + 2s);
  EXPECT_EQ(again.error, RedeemError::kReused);
  EXPECT_NE(again.reason.find("already used (1 of 1 connections)"), std::string::npos) << again.reason;
}

TEST_F(TokenRegistryTest, WrongPeerIsRefusedAndDoesNotConsumeTheToken) {
  auto token = registry_.Issue(ConnectGrant(), 30s, t0_);
  ASSERT_TRUE(token.ok());
  const Redemption wrong = registry_.Redeem(*token, "mallory", t0_);
  EXPECT_EQ(wrong.error, RedeemError::kWrongPeer);
  EXPECT_NE(wrong.reason.find("issued to site 'alpha', not to 'mallory'"), std::string::npos) << wrong.reason;
  EXPECT_TRUE(registry_.Redeem(*token, "alpha", t0_).ok());
}

TEST_F(TokenRegistryTest, ExpiredTokenIsRefused) {
  auto token = registry_.Issue(ConnectGrant(), 30s, t0_);
  ASSERT_TRUE(token.ok());
  const Redemption late = registry_.Redeem(*token, "alpha", t0_ + 30s);
  EXPECT_EQ(late.error, RedeemError::kExpired);
  EXPECT_NE(late.reason.find("expired 0.0 s ago"), std::string::npos) << late.reason;
  auto status = registry_.StatusOf(*token, t0_ + 31s);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, TransferState::kExpired);
}

TEST_F(TokenRegistryTest, UnknownAndMalformedTokens) {
  auto token = registry_.Issue(ConnectGrant(), 30s, t0_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(registry_.Redeem(TokenSecret::Random().ToString(), "alpha", t0_).error, RedeemError::kUnknown);
  // Right selector, wrong verifier: as unknown as any other guess.
  std::string forged = *token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(registry_.Redeem(forged, "alpha", t0_).error, RedeemError::kUnknown);
  EXPECT_EQ(registry_.Redeem("hello", "alpha", t0_).error, RedeemError::kMalformed);
  EXPECT_TRUE(registry_.Redeem(*token, "alpha", t0_).ok());
}

TEST_F(TokenRegistryTest, MultiConnectionGrantAllowsExactlyItsConnections) {
  Grant g = ConnectGrant();
  g.connections = 3;
  auto token = registry_.Issue(g, 30s, t0_);
  ASSERT_TRUE(token.ok());
  for (uint32_t i = 0; i < 3; ++i) {
    const Redemption r = registry_.Redeem(*token, "alpha", t0_);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.connection_index, i);
  }
  EXPECT_EQ(registry_.Redeem(*token, "alpha", t0_).error, RedeemError::kReused);
}

TEST_F(TokenRegistryTest, OutcomeFollowsConnections) {
  Grant g = ConnectGrant();
  g.connections = 2;
  auto token = registry_.Issue(g, 30s, t0_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(registry_.StatusOf(*token, t0_)->state, TransferState::kIssued);
  const Redemption a = registry_.Redeem(*token, "alpha", t0_);
  const Redemption b = registry_.Redeem(*token, "alpha", t0_);
  EXPECT_EQ(registry_.StatusOf(*token, t0_)->state, TransferState::kActive);
  registry_.ConnectionClosed(a.transfer_id, true, "ok", 100, 50);
  EXPECT_EQ(registry_.StatusOf(*token, t0_)->state, TransferState::kActive);
  registry_.ConnectionClosed(b.transfer_id, true, "ok", 100, 50);
  auto s = registry_.StatusOf(*token, t0_);
  EXPECT_EQ(s->state, TransferState::kSucceeded);
  EXPECT_EQ(s->payload_bytes, 200u);
  EXPECT_EQ(s->wire_bytes, 100u);

  auto token2 = registry_.Issue(ConnectGrant(), 30s, t0_);
  const Redemption c = registry_.Redeem(*token2, "alpha", t0_);
  registry_.ConnectionClosed(c.transfer_id, false, "the link was cut", 10, 10);
  auto s2 = registry_.StatusOf(*token2, t0_);
  EXPECT_EQ(s2->state, TransferState::kFailed);
  EXPECT_EQ(s2->detail, "the link was cut");
}

TEST_F(TokenRegistryTest, RevokedTokenCannotOpenChannels) {
  auto token = registry_.Issue(ConnectGrant(), 30s, t0_);
  ASSERT_TRUE(registry_.Revoke(*token).ok());
  const Redemption r = registry_.Redeem(*token, "alpha", t0_);
  EXPECT_EQ(r.error, RedeemError::kReused);
  EXPECT_NE(r.reason.find("revoked"), std::string::npos);
  EXPECT_EQ(registry_.Revoke(TokenSecret::Random().ToString()).code(), StatusCode::kNotFound);
}

TEST_F(TokenRegistryTest, ForgetsOldTokensAndIsBounded) {
  TokenRegistry small(2, std::chrono::seconds(10));
  auto a = small.Issue(ConnectGrant(), 1s, t0_);
  auto b = small.Issue(ConnectGrant(), 1s, t0_);
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = small.Issue(ConnectGrant(), 1s, t0_);
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  // Past expiry + retention both are forgotten: room again, and the old token is simply unknown.
  auto d = small.Issue(ConnectGrant(), 1s, t0_ + 12s);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(small.Redeem(*a, "alpha", t0_ + 12s).error, RedeemError::kUnknown);
  EXPECT_EQ(small.size(), 1u);
}

TEST_F(TokenRegistryTest, InvalidGrantOrLifetimeIsRefused) {
  Grant g = ConnectGrant();
  g.target = "nowhere";
  EXPECT_FALSE(registry_.Issue(g, 30s, t0_).ok());
  EXPECT_FALSE(registry_.Issue(ConnectGrant(), 0s, t0_).ok());
  EXPECT_EQ(registry_.size(), 0u);
}

TEST(RedeemErrorTest, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (int e = 0; e <= static_cast<int>(RedeemError::kExpired); ++e)
    names.insert(RedeemErrorName(static_cast<RedeemError>(e)));
  EXPECT_EQ(names.size(), 6u);
}

}  // namespace
}  // namespace tern::transfer
