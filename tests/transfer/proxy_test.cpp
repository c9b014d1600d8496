// Transfer proxies in-process over loopback TCP: relays byte-exact with half-close and many connections,
// sparse file send and fetch, and every refusal and fault the issue lists for the transfer path — reused,
// expired and wrong-peer tokens, an unknown site, an unexpected key, a corrupted and a truncated stream, a
// link cut mid-transfer, an unreachable target — each failing with a reason and leaving the transfer marked
// failed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "../common/temp_dir.h"
#include "tcp_peers.h"
#include "test_data.h"
#include "transfer/file_transfer.h"
#include "transfer/transfer_proxy.h"

namespace tern::transfer {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const federation::SiteKey> Key(uint8_t b) {
  std::array<uint8_t, 32> seed;
  seed.fill(b);
  return std::make_shared<const federation::SiteKey>(federation::SiteKey::FromSeed(seed).value());
}

federation::Partner PartnerOf(const std::string& name, const federation::SiteKey& key) {
  federation::Partner p;
  p.name = name;
  p.url = "https://" + name + ".example";
  p.public_key = key.public_key();
  return p;
}

net::Endpoint Loopback(uint16_t port = 0) {
  return net::Endpoint::Parse("127.0.0.1:" + std::to_string(port)).value();
}

// A man in the middle between the two proxies: forwards bytes both ways, and after `after` bytes from the
// client either flips one bit or cuts both connections.
class Tamper {
 public:
  enum class Mode { kFlip, kCut };
  Tamper(net::Endpoint upstream, Mode mode, size_t after) : upstream_(upstream), mode_(mode), after_(after) {
    fd_ = ListenTcp(Loopback(), "tamper").value();
    endpoint_ = LocalEndpoint(fd_.get()).value();
    thread_ = std::thread([this] {
      auto c = AcceptTcp(fd_.get());
      if (!c.ok()) return;
      auto up = ConnectTcp(upstream_, 5000ms, "upstream");
      if (!up.ok()) return;
      client_ = std::move(*c);
      server_ = std::move(*up);
      std::thread back([this] { Pump(server_.get(), client_.get(), false); });
      Pump(client_.get(), server_.get(), true);
      back.join();
    });
  }
  ~Tamper() {
    ::shutdown(fd_.get(), SHUT_RDWR);
    ::shutdown(client_.get(), SHUT_RDWR);
    ::shutdown(server_.get(), SHUT_RDWR);
    thread_.join();
  }
  net::Endpoint endpoint() const { return endpoint_; }

 private:
  void Pump(int from, int to, bool forward) {
    std::vector<uint8_t> buf(16 << 10);
    while (true) {
      const ssize_t n = ::recv(from, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      size_t len = static_cast<size_t>(n);
      if (forward) {
        const size_t before = seen_;
        seen_ += len;
        if (before < after_ && seen_ >= after_) {
          if (mode_ == Mode::kCut) {
            len = after_ - before;
            (void)WriteAll(to, std::span(buf).first(len));
            ::shutdown(client_.get(), SHUT_RDWR);
            ::shutdown(server_.get(), SHUT_RDWR);
            return;
          }
          buf[after_ - before] ^= 0x01;
        }
      }
      if (!WriteAll(to, std::span(buf).first(len)).ok()) break;
    }
    ::shutdown(to, SHUT_WR);
  }
  net::Endpoint upstream_;
  Mode mode_;
  size_t after_;
  size_t seen_ = 0;
  net::UniqueFd fd_, client_, server_;
  net::Endpoint endpoint_;
  std::thread thread_;
};

class ProxyTest : public ::testing::Test {
 protected:
  ProxyTest() {
    alpha_key_ = Key(1);
    beta_key_ = Key(2);
    gamma_key_ = Key(3);
    auto alpha_trust = std::make_shared<federation::TrustStore>(federation::TrustStore::InMemory("alpha"));
    EXPECT_TRUE(alpha_trust->Add(PartnerOf("beta", *beta_key_)).ok());
    auto beta_trust = std::make_shared<federation::TrustStore>(federation::TrustStore::InMemory("beta"));
    EXPECT_TRUE(beta_trust->Add(PartnerOf("alpha", *alpha_key_)).ok());
    EXPECT_TRUE(beta_trust->Add(PartnerOf("gamma", *gamma_key_)).ok());
    alpha_trust_ = alpha_trust;
    beta_tokens_ = std::make_shared<TokenRegistry>();

    ProxyConfig a;
    a.self = LocalSite{"alpha", alpha_key_};
    a.trust = alpha_trust_;
    a.tokens = std::make_shared<TokenRegistry>();
    a.link_timeout = 2000ms;
    alpha_ = TransferProxy::Start(a).value();
    ProxyConfig b;
    b.self = LocalSite{"beta", beta_key_};
    b.trust = beta_trust;
    b.tokens = beta_tokens_;
    b.listen = Loopback();
    b.link_timeout = 2000ms;
    beta_ = TransferProxy::Start(b).value();
  }

  std::string Issue(GrantKind kind, const std::string& target, uint32_t connections = 1,
                    const std::string& peer = "alpha", std::chrono::milliseconds ttl = 30s) {
    Grant g;
    g.vm_id = "vm-1";
    g.kind = kind;
    g.direction = kind == GrantKind::kSendFile ? Direction::kSource : Direction::kDestination;
    g.peer_site = peer;
    g.target = target;
    g.connections = connections;
    return beta_tokens_->Issue(g, ttl, Clock::now()).value();
  }
  net::Endpoint Forward(const std::string& token, std::optional<net::Endpoint> remote = std::nullopt) {
    return alpha_
        ->AddForward(ForwardRule{Loopback(), remote.value_or(*beta_->channel_endpoint()), "beta", token})
        .value();
  }
  TransferStatus StatusOf(const std::string& token) {
    return beta_tokens_->StatusOf(token, Clock::now()).value();
  }
  // Waits until the transfer of `token` left the active state.
  TransferStatus Settled(const std::string& token) {
    for (int i = 0; i < 200; ++i) {
      TransferStatus s = StatusOf(token);
      if (s.state != TransferState::kActive && s.state != TransferState::kIssued) return s;
      std::this_thread::sleep_for(25ms);
    }
    return StatusOf(token);
  }
  Result<std::unique_ptr<SecureChannel>> Dial(const std::string& token, const federation::TrustStore& trust,
                                              std::optional<net::Endpoint> remote = std::nullopt) {
    return DialProxy(LocalSite{"alpha", alpha_key_}, trust, remote.value_or(*beta_->channel_endpoint()),
                     "beta", token, DialOptions{5000ms, 5000ms, 2000ms});
  }

  std::shared_ptr<const federation::SiteKey> alpha_key_, beta_key_, gamma_key_;
  std::shared_ptr<const federation::TrustStore> alpha_trust_;
  std::shared_ptr<TokenRegistry> beta_tokens_;
  std::unique_ptr<TransferProxy> alpha_, beta_;
  tern::testing::TempDir dir_;
};

std::vector<uint8_t> Mixed(size_t n, uint64_t seed) {
  auto v = testdata::Text(n / 2, seed);
  const auto r = testdata::Random(n / 4, seed);
  v.insert(v.end(), r.begin(), r.end());
  v.resize(n, 0);
  return v;
}

TEST_F(ProxyTest, RelaysManyConnectionsByteExactWithHalfClose) {
  auto echo_server = EchoServer::Start(Loopback()).value();
  EchoServer& echo = *echo_server;
  const std::string token = Issue(GrantKind::kConnect, echo.target(), 6);
  const net::Endpoint local = Forward(token);
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      const auto data = Mixed((1 << 20) + static_cast<size_t>(i) * 7919, static_cast<uint64_t>(i));
      auto got = EchoThrough(local, data);
      if (got.ok() && *got == data) ++good;
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(good, 6);
  const TransferStatus s = Settled(token);
  EXPECT_EQ(s.state, TransferState::kSucceeded) << s.detail;
  EXPECT_EQ(s.connections_opened, 6u);
  EXPECT_LT(s.wire_bytes, s.payload_bytes);  // text and zeros compress
  // An empty stream is relayed as one too.
  const std::string t2 = Issue(GrantKind::kConnect, echo.target());
  auto empty = EchoThrough(Forward(t2), {});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
}

TEST_F(ProxyTest, ReusedTokenIsRefusedAndTheClientSeesAFailure) {
  auto echo_server = EchoServer::Start(Loopback()).value();
  EchoServer& echo = *echo_server;
  const std::string token = Issue(GrantKind::kConnect, echo.target(), 1);
  const net::Endpoint local = Forward(token);
  const auto data = testdata::Text(10000);
  ASSERT_EQ(EchoThrough(local, data).value(), data);
  auto second = EchoThrough(local, data);
  EXPECT_TRUE(!second.ok() || second->empty());
  EXPECT_EQ(alpha_->counters().dial_failures, 1u);
  // beta counts the refusal after sending it.
  for (int i = 0; i < 100 && beta_->counters().channels_refused == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(beta_->counters().channels_refused, 1u);
  auto direct = Dial(token, *alpha_trust_);
  ASSERT_FALSE(direct.ok());
  EXPECT_NE(
      direct.status().message().find("refused by site 'beta': transfer token for VM 'vm-1' was already used"),
      std::string::npos)
      << direct.status().message();
}

TEST_F(ProxyTest, ExpiredTokenIsRefused) {
  const std::string token = Issue(GrantKind::kConnect, "127.0.0.1:9", 1, "alpha", 1ms);
  std::this_thread::sleep_for(5ms);
  auto ch = Dial(token, *alpha_trust_);
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("expired"), std::string::npos) << ch.status().message();
}

TEST_F(ProxyTest, TokenPresentedByTheWrongPeerIsRefusedAndStaysUsable) {
  const std::string token = Issue(GrantKind::kConnect, "127.0.0.1:9", 1, "gamma");
  auto ch = Dial(token, *alpha_trust_);
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("issued to site 'gamma', not to 'alpha'"), std::string::npos)
      << ch.status().message();
  EXPECT_EQ(StatusOf(token).state, TransferState::kIssued);
}

TEST_F(ProxyTest, UnknownSiteIsRefused) {
  // delta is not in beta's trust store.
  auto delta_trust = federation::TrustStore::InMemory("delta");
  ASSERT_TRUE(delta_trust.Add(PartnerOf("beta", *beta_key_)).ok());
  auto ch = DialProxy(LocalSite{"delta", Key(4)}, delta_trust, *beta_->channel_endpoint(), "beta",
                      Issue(GrantKind::kConnect, "127.0.0.1:9"), DialOptions{});
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("refused by site 'beta': unknown site 'delta'"), std::string::npos)
      << ch.status().message();
}

TEST_F(ProxyTest, PeerWithAnUnexpectedKeyIsRefused) {
  // alpha believes beta's key is gamma's: whoever answers at beta's address is not trusted.
  auto wrong = federation::TrustStore::InMemory("alpha");
  ASSERT_TRUE(wrong.Add(PartnerOf("beta", *gamma_key_)).ok());
  const std::string token = Issue(GrantKind::kConnect, "127.0.0.1:9");
  auto ch = Dial(token, wrong);
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("unexpected key"), std::string::npos) << ch.status().message();
  EXPECT_EQ(StatusOf(token).state, TransferState::kIssued);  // the token never left alpha
}

TEST_F(ProxyTest, UnreachableTargetFailsTheTransferWithoutNamingTheHost) {
  // A port nothing listens on (bound then closed).
  net::Endpoint dead;
  {
    auto l = ListenTcp(Loopback(), "x").value();
    dead = LocalEndpoint(l.get()).value();
  }
  const std::string token = Issue(GrantKind::kConnect, dead.ToString());
  auto got = EchoThrough(Forward(token), testdata::Text(1000));
  EXPECT_TRUE(!got.ok() || got->empty());
  const TransferStatus s = Settled(token);
  EXPECT_EQ(s.state, TransferState::kFailed);
  EXPECT_NE(s.detail.find(dead.ToString()), std::string::npos) << s.detail;  // locally, the detail names it
  auto ch = Dial(Issue(GrantKind::kConnect, dead.ToString()), *alpha_trust_);
  ASSERT_TRUE(ch.ok());
  std::vector<uint8_t> plain;
  auto rec = (*ch)->Receive(plain);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  auto frame = ParseFrame(plain).value();
  ASSERT_TRUE(std::holds_alternative<AbortFrame>(frame));
  const std::string reason = std::get<AbortFrame>(frame).reason;
  EXPECT_EQ(reason.find("127.0.0.1"), std::string::npos) << "the peer learns no internal address: " << reason;
}

// A sparse 48 MiB image: text at the start, random data in the middle, zero data written explicitly, holes.
std::string MakeSparseImage(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto text = testdata::Text(3 << 20);
  const auto random = testdata::Random(2 << 20);
  const std::vector<uint8_t> zeros(4 << 20, 0);
  EXPECT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  EXPECT_EQ(::pwrite(fd, random.data(), random.size(), 20 << 20), static_cast<ssize_t>(random.size()));
  EXPECT_EQ(::pwrite(fd, zeros.data(), zeros.size(), 30 << 20), static_cast<ssize_t>(zeros.size()));
  EXPECT_EQ(::pwrite(fd, "end", 3, (48 << 20) - 3), 3);
  ::close(fd);
  return path;
}

std::string Content(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int64_t AllocatedBytes(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<int64_t>(st.st_blocks) * 512;
}

TEST_F(ProxyTest, SendsASparseFileThatStaysSparse) {
  const std::string src = MakeSparseImage(dir_.Path("disk.img"));
  const std::string dst = dir_.Path("received.img");
  const std::string token = Issue(GrantKind::kReceiveFile, dst);
  auto ch = Dial(token, *alpha_trust_);
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  auto result = SendFile(**ch, src);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->size, 48u << 20);
  EXPECT_LT(result->data_bytes, 12u << 20);  // holes were not sent as data
  // At most the 3 MiB of text (raw on a link as fast as loopback) and 2 MiB of random data: the 4 MiB of
  // written zeros and the holes cost next to nothing.
  EXPECT_LT(result->wire_bytes, (5u << 20) + (64u << 10));
  EXPECT_NE(result->message.find("stored 50331648 bytes"), std::string::npos) << result->message;
  EXPECT_EQ(Content(dst), Content(src));
  EXPECT_LT(AllocatedBytes(dst), 7 << 20);  // text + random + tail, not the explicit zeros
  EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
  EXPECT_EQ(Settled(token).state, TransferState::kSucceeded);
}

TEST_F(ProxyTest, FetchesAFileFromTheSource) {
  const auto text = testdata::Text(300000);
  const std::string src = dir_.Write("context.iso", std::string(text.begin(), text.end()));
  const std::string token = Issue(GrantKind::kSendFile, src);
  AcceptedChannel accepted;
  auto ch = DialProxy(LocalSite{"alpha", alpha_key_}, *alpha_trust_, *beta_->channel_endpoint(), "beta",
                      token, DialOptions{}, &accepted);
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  EXPECT_EQ(accepted.kind, GrantKind::kSendFile);
  EXPECT_EQ(accepted.direction, Direction::kSource);
  const std::string dst = dir_.Path("fetched.iso");
  auto result = ReceiveFile(**ch, dst);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Content(dst), Content(src));
  EXPECT_EQ(Settled(token).state, TransferState::kSucceeded);
}

TEST_F(ProxyTest, CorruptedStreamIsDetectedAndTheTransferFails) {
  const std::string src = MakeSparseImage(dir_.Path("disk.img"));
  const std::string dst = dir_.Path("received.img");
  const std::string token = Issue(GrantKind::kReceiveFile, dst);
  Tamper mitm(*beta_->channel_endpoint(), Tamper::Mode::kFlip, 200000);  // well after the handshake
  auto ch = Dial(token, *alpha_trust_, mitm.endpoint());
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  auto result = SendFile(**ch, src);
  ASSERT_FALSE(result.ok());
  const TransferStatus s = Settled(token);
  EXPECT_EQ(s.state, TransferState::kFailed);
  EXPECT_NE(s.detail.find("does not authenticate"), std::string::npos) << s.detail;
  EXPECT_FALSE(std::filesystem::exists(dst));
  EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
}

TEST_F(ProxyTest, LinkCutMidTransferIsReportedOnBothSides) {
  const std::string src = MakeSparseImage(dir_.Path("disk.img"));
  const std::string dst = dir_.Path("received.img");
  const std::string token = Issue(GrantKind::kReceiveFile, dst);
  Tamper mitm(*beta_->channel_endpoint(), Tamper::Mode::kCut, 300000);
  auto ch = Dial(token, *alpha_trust_, mitm.endpoint());
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  auto result = SendFile(**ch, src);
  ASSERT_FALSE(result.ok());
  const TransferStatus s = Settled(token);
  EXPECT_EQ(s.state, TransferState::kFailed);
  EXPECT_TRUE(s.detail.find("the link was cut") != std::string::npos ||
              s.detail.find("truncated") != std::string::npos)
      << s.detail;
  EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
}

TEST_F(ProxyTest, RelayCutMidStreamResetsTheLocalClient) {
  auto echo_server = EchoServer::Start(Loopback()).value();
  EchoServer& echo = *echo_server;
  const std::string token = Issue(GrantKind::kConnect, echo.target());
  Tamper mitm(*beta_->channel_endpoint(), Tamper::Mode::kCut, 500000);
  const net::Endpoint local = Forward(token, mitm.endpoint());
  const auto data = testdata::Random(4 << 20);
  auto got = EchoThrough(local, data);
  EXPECT_TRUE(!got.ok() || got->size() < data.size()) << "a cut stream must not look complete";
  EXPECT_EQ(Settled(token).state, TransferState::kFailed);
}

}  // namespace
}  // namespace tern::transfer

namespace tern::transfer {
namespace {

TEST_F(ProxyTest, ConnectionsBeyondTheLimitAreClosedAtAccept) {
  auto trust = std::make_shared<federation::TrustStore>(federation::TrustStore::InMemory("beta"));
  ASSERT_TRUE(trust->Add(PartnerOf("alpha", *alpha_key_)).ok());
  ProxyConfig c;
  c.self = LocalSite{"beta", beta_key_};
  c.trust = trust;
  c.tokens = beta_tokens_;
  c.listen = Loopback();
  c.max_connections = 1;
  auto small = TransferProxy::Start(c).value();
  auto echo = EchoServer::Start(Loopback()).value();
  const std::string token = Issue(GrantKind::kConnect, echo->target(), 2);
  auto first = Dial(token, *alpha_trust_, small->channel_endpoint());
  ASSERT_TRUE(first.ok()) << first.status().ToString();  // held open: its relay occupies the only slot
  auto second = Dial(token, *alpha_trust_, small->channel_endpoint());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(small->counters().over_limit, 1u);
  EXPECT_EQ(StatusOf(token).connections_opened, 1u);  // the refused connection never reached the token
}

}  // namespace
}  // namespace tern::transfer
