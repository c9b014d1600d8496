// Channel handshake as pure state machines: mutual authentication with the sites' keys, the token travelling
// encrypted and bound to the transcript, working record streams both ways — and a refusal with a reason for
// an unexpected key, an impostor, a wrong site, tampering, and a refused token.
#include "transfer/handshake.h"

#include <gtest/gtest.h>

namespace tern::transfer {
namespace {

federation::SiteKey Key(uint8_t b) {
  std::array<uint8_t, 32> seed;
  seed.fill(b);
  return federation::SiteKey::FromSeed(seed).value();
}

const std::string kToken = "tt1-" + std::string(64, 'a');

class HandshakeTest : public ::testing::Test {
 protected:
  federation::SiteKey alpha_ = Key(1);  // client site
  federation::SiteKey beta_ = Key(2);   // server site
  federation::SiteKey mallory_ = Key(3);
};

TEST_F(HandshakeTest, EstablishesAuthenticatedStreamsBothWays) {
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake server(beta_, "beta");
  auto site = server.OnClientHello(client.Hello());
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ(*site, "alpha");
  auto server_hello = server.ServerHello(alpha_.public_key());
  ASSERT_TRUE(server_hello.ok());
  auto auth = client.OnServerHello(*server_hello);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  // The token never travels in the clear.
  EXPECT_EQ(std::search(auth->begin(), auth->end(), kToken.begin(), kToken.end()), auth->end());
  auto token = server.OnClientAuth(*auth);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, kToken);
  ChannelStreams server_streams;
  const auto verdict = server.Accept(
      AcceptedChannel{GrantKind::kReceiveFile, Direction::kDestination, 2, "vm-7"}, server_streams);
  auto outcome = client.OnVerdict(verdict);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->accepted.kind, GrantKind::kReceiveFile);
  EXPECT_EQ(outcome->accepted.direction, Direction::kDestination);
  EXPECT_EQ(outcome->accepted.connection_index, 2u);
  EXPECT_EQ(outcome->accepted.vm_id, "vm-7");

  const std::vector<uint8_t> up = {1, 2, 3};
  std::vector<uint8_t> cipher;
  outcome->streams.send->Seal(up, false, cipher);
  std::vector<uint8_t> plain;
  auto fin = server_streams.receive->Open(cipher, plain);
  ASSERT_TRUE(fin.ok());
  EXPECT_FALSE(*fin);
  EXPECT_EQ(plain, up);
  const std::vector<uint8_t> down = {9, 8};
  cipher.clear();
  server_streams.send->Seal(down, true, cipher);
  fin = outcome->streams.receive->Open(cipher, plain);
  ASSERT_TRUE(fin.ok());
  EXPECT_TRUE(*fin);
  EXPECT_EQ(plain, down);
}

TEST_F(HandshakeTest, ClientRefusesAServerWithAnUnexpectedKey) {
  // Mallory answers as "beta" but signs with her own key.
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake impostor(mallory_, "beta");
  ASSERT_TRUE(impostor.OnClientHello(client.Hello()).ok());
  auto hello = impostor.ServerHello(alpha_.public_key());
  ASSERT_TRUE(hello.ok());
  auto auth = client.OnServerHello(*hello);
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(auth.status().message().find("unexpected key"), std::string::npos) << auth.status().message();
}

TEST_F(HandshakeTest, ClientRefusesAnotherSite) {
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake gamma(beta_, "gamma");
  EXPECT_FALSE(gamma.OnClientHello(client.Hello()).ok());  // addressed to beta
  // Even if a server answered under another name, the client would refuse it.
  ClientHandshake client2(alpha_, "alpha", "gamma", beta_.public_key(), kToken);
  ServerHandshake beta(beta_, "beta");
  ClientHandshake probe(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ASSERT_TRUE(beta.OnClientHello(probe.Hello()).ok());
  (void)client2.Hello();
  auto auth = client2.OnServerHello(beta.ServerHello(alpha_.public_key()).value());
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.status().message().find("is site 'beta', not 'gamma'"), std::string::npos)
      << auth.status().message();
}

TEST_F(HandshakeTest, ServerRefusesAClientImpersonatingAPartner) {
  // Mallory claims to be alpha; the server checks her signature against alpha's trusted key.
  ClientHandshake mallory(mallory_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake server(beta_, "beta");
  ASSERT_TRUE(server.OnClientHello(mallory.Hello()).ok());
  auto auth = mallory.OnServerHello(server.ServerHello(alpha_.public_key()).value());
  ASSERT_TRUE(auth.ok());
  auto token = server.OnClientAuth(*auth);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(token.status().message().find("site 'alpha' did not sign"), std::string::npos)
      << token.status().message();
}

TEST_F(HandshakeTest, RefusedTokenReachesTheClientWithItsReason) {
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake server(beta_, "beta");
  ASSERT_TRUE(server.OnClientHello(client.Hello()).ok());
  auto auth = client.OnServerHello(server.ServerHello(alpha_.public_key()).value());
  ASSERT_TRUE(server.OnClientAuth(*auth).ok());
  auto outcome = client.OnVerdict(server.Refuse("transfer token for VM 'vm-7' expired 3.0 s ago"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().message(),
            "refused by site 'beta': transfer token for VM 'vm-7' expired 3.0 s ago");
}

TEST_F(HandshakeTest, PlainRefusalBeforeKeysExist) {
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  (void)client.Hello();
  auto auth = client.OnServerHello(ServerHandshake::PlainRefusal("unknown site 'alpha'"));
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.status().message(), "refused by site 'beta': unknown site 'alpha'");
}

TEST_F(HandshakeTest, TamperingIsDetected) {
  {  // A man in the middle swaps the server's ephemeral key.
    ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
    ServerHandshake server(beta_, "beta");
    ASSERT_TRUE(server.OnClientHello(client.Hello()).ok());
    auto hello = server.ServerHello(alpha_.public_key()).value();
    hello[hello.size() - 64 - 5] ^= 1;
    EXPECT_FALSE(client.OnServerHello(hello).ok());
  }
  {  // ...or the client's.
    ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
    ServerHandshake server(beta_, "beta");
    auto hello = client.Hello();
    hello.back() ^= 1;
    ASSERT_TRUE(server.OnClientHello(hello).ok());
    auto auth = client.OnServerHello(server.ServerHello(alpha_.public_key()).value());
    EXPECT_FALSE(auth.ok());  // the server signed a transcript the client never sent
  }
  {  // A flipped bit in the encrypted client auth.
    ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
    ServerHandshake server(beta_, "beta");
    ASSERT_TRUE(server.OnClientHello(client.Hello()).ok());
    auto auth = client.OnServerHello(server.ServerHello(alpha_.public_key()).value()).value();
    auth[10] ^= 1;
    auto token = server.OnClientAuth(auth);
    ASSERT_FALSE(token.ok());
    EXPECT_NE(token.status().message().find("does not decrypt"), std::string::npos);
  }
}

TEST_F(HandshakeTest, VerdictOfAnotherSessionDoesNotDecrypt) {
  ClientHandshake c1(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake s1(beta_, "beta");
  ASSERT_TRUE(s1.OnClientHello(c1.Hello()).ok());
  ASSERT_TRUE(s1.OnClientAuth(c1.OnServerHello(s1.ServerHello(alpha_.public_key()).value()).value()).ok());
  ChannelStreams streams;
  const auto old_verdict = s1.Accept(AcceptedChannel{}, streams);

  ClientHandshake c2(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  ServerHandshake s2(beta_, "beta");
  ASSERT_TRUE(s2.OnClientHello(c2.Hello()).ok());
  ASSERT_TRUE(c2.OnServerHello(s2.ServerHello(alpha_.public_key()).value()).ok());
  EXPECT_FALSE(c2.OnVerdict(old_verdict).ok());
}

TEST_F(HandshakeTest, MalformedHellos) {
  ServerHandshake server(beta_, "beta");
  EXPECT_NE(server.OnClientHello(std::vector<uint8_t>{'G', 'E', 'T', ' ', '/'})
                .status()
                .message()
                .find("bad magic"),
            std::string::npos);
  ClientHandshake client(alpha_, "alpha", "beta", beta_.public_key(), kToken);
  auto hello = client.Hello();
  auto v2 = hello;
  v2[9] = 2;
  EXPECT_NE(server.OnClientHello(v2).status().message().find("version 2"), std::string::npos);
  auto cut = hello;
  cut.pop_back();
  EXPECT_FALSE(server.OnClientHello(cut).ok());
  auto bad_name = hello;
  bad_name[11] = 'A';  // first letter of "alpha"
  EXPECT_FALSE(server.OnClientHello(bad_name).ok());
  EXPECT_FALSE(client.OnServerHello(std::vector<uint8_t>{2}).ok());
  EXPECT_FALSE(client.OnVerdict(std::vector<uint8_t>{4, 0, 0}).ok());
}

}  // namespace
}  // namespace tern::transfer
