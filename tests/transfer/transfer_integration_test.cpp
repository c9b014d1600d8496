// Two sites' transfer proxies as real tern-proxy processes in two network namespaces joined by a veth link
// (tests/transfer/netns_pair.h): a byte stream relayed to a service only reachable inside site B, many
// connections at once, and a sparse disk image sent through the proxies, verified byte for byte; and across
// processes, the refusals and faults — reused token, token of another peer, unknown site, a link cut in the
// middle of a transfer — each ending with a reason and the transfer marked failed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "../common/temp_dir.h"
#include "federation/site_key.h"
#include "federation/trust_store.h"
#include "netns_pair.h"
#include "sim_hosts.h"
#include "tcp_peers.h"
#include "test_data.h"
#include "transfer/control_socket.h"

namespace tern::transfer {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::NetnsPair;
using Side = NetnsPair::Side;
using tern::testing::RunShell;
using tern::testing::ShellQuote;

std::string ProxyBinary() {
  return std::string(TERN_BINARY_DIR) + "/apps/tern-proxy";
}

bool IntegrationRequired() {
  const char* v = std::getenv("TERN_REQUIRE_INTEGRATION");
  return v != nullptr && std::string(v) == "1";
}

std::string UnavailableReason() {
  if (std::string why = NetnsPair::UnavailableReason(); !why.empty()) return why;
  if (::access(ProxyBinary().c_str(), X_OK) != 0) return "tern-proxy is not built: " + ProxyBinary();
  return "";
}

class TransferIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!UnavailableReason().empty()) return;
    dir_ = new tern::testing::TempDir();
    auto pair = NetnsPair::Create("txi");
    ASSERT_TRUE(pair.ok()) << pair.status().ToString();
    pair_ = pair->release();
    // Keys through the program itself; trust stores through the library, as ternd would write them.
    for (const char* site : {"alpha", "beta", "gamma", "delta"}) {
      auto key = RunCommand(ProxyBinary() + " key --key " + Path(std::string(site) + ".key"));
      ASSERT_TRUE(key.ok()) << key.status().ToString();
    }
    WriteTrust("alpha", {"beta"});
    WriteTrust("beta", {"alpha", "gamma"});
    WriteTrust("delta", {"beta"});
    StartProxy(Side::kA, "alpha", "");
    StartProxy(Side::kB, "beta", std::string(NetnsPair::kIpB) + ":7400");
  }
  static void TearDownTestSuite() {
    for (const int pid : pids_) ::kill(pid, SIGTERM);
    pids_.clear();
    delete pair_;  // kills anything left in the namespaces
    pair_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    const std::string why = UnavailableReason();
    if (!why.empty()) {
      if (IntegrationRequired()) FAIL() << "prerequisite missing: " << why;
      GTEST_SKIP() << why;
    }
    ASSERT_NE(pair_, nullptr);
  }

  static Result<std::string> RunCommand(const std::string& cmd) { return tern::testing::RunCommand(cmd); }
  static std::string Path(const std::string& rel) { return dir_->Path(rel); }
  static std::string Control(const std::string& site) { return Path(site + ".sock"); }

  static void WriteTrust(const std::string& site, const std::vector<std::string>& partners) {
    auto store = federation::TrustStore::Open(Path(site + ".trust.json"), site);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const std::string& p : partners) {
      auto key = federation::SiteKey::Load(Path(p + ".key"));
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      federation::Partner partner;
      partner.name = p;
      partner.url = "https://" + p + ".example:8443";
      partner.public_key = key->public_key();
      ASSERT_TRUE(store->Add(partner).ok());
    }
  }

  static void StartProxy(Side side, const std::string& site, const std::string& listen) {
    const std::string cmd =
        pair_->Exec(side) + ProxyBinary() + " run --site " + site + " --key " + Path(site + ".key") +
        " --trust " + Path(site + ".trust.json") + " --control " + Control(site) + " --link-timeout-ms 2000" +
        (listen.empty() ? "" : " --listen " + listen) + " >>" + Path(site + ".log") + " 2>&1 & echo $!";
    auto out = RunCommand(cmd);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    pids_.push_back(std::stoi(*out));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = ControlCall(Control(site), json{{"op", "counters"}});
      if (r.ok() && (*r)["ok"] == true) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "tern-proxy for " << site
           << " did not come up; log: " << RunShell("cat " + Path(site + ".log"))->out;
  }

  static std::string Issue(const std::string& peer, const std::string& target_flag, int connections = 1) {
    auto t = RunCommand(ProxyBinary() + " issue --control " + Control("beta") + " --vm web-1 --direction " +
                        (target_flag.starts_with("--send-file") ? "source" : "destination") + " --peer " +
                        peer + " " + target_flag + " --connections " + std::to_string(connections));
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    std::string token = t.ok() ? *t : "";
    while (!token.empty() && token.back() == '\n') token.pop_back();
    return token;
  }
  // The transfer's status at beta; with `settle`, once it is no longer active (the proxy records the outcome
  // after closing the channel).
  static json StatusOf(const std::string& token, bool settle = true) {
    json s;
    for (int i = 0; i < 100; ++i) {
      auto r = ControlCall(Control("beta"), json{{"op", "status"}, {"token", token}});
      if (!r.ok()) return json{{"error", r.status().message()}};
      s = *r;
      if (!settle || (s["state"] != "active" && s["state"] != "issued")) break;
      std::this_thread::sleep_for(50ms);
    }
    return s;
  }
  // send-file from site `site` (in namespace A) to beta; returns exit code and output.
  static tern::testing::CommandOutput SendFile(const std::string& site, const std::string& token,
                                               const std::string& file) {
    return RunShell(pair_->Exec(Side::kA) + ProxyBinary() + " send-file --site " + site + " --key " +
                    Path(site + ".key") + " --trust " + Path(site + ".trust.json") + " --remote " +
                    NetnsPair::kIpB + ":7400 --remote-site beta --link-timeout-ms 2000 --token " + token +
                    " " + file)
        .value();
  }

  static tern::testing::TempDir* dir_;
  static NetnsPair* pair_;
  static std::vector<int> pids_;
};

tern::testing::TempDir* TransferIntegrationTest::dir_ = nullptr;
NetnsPair* TransferIntegrationTest::pair_ = nullptr;
std::vector<int> TransferIntegrationTest::pids_;

TEST_F(TransferIntegrationTest, RelaysConcurrentStreamsToAServiceInsideTheOtherSite) {
  // The service listens on site B's loopback: nothing outside B can reach it, except through the proxies.
  auto echo =
      pair_->RunIn(Side::kB, [] { return EchoServer::Start(net::Endpoint::Parse("127.0.0.1:0").value()); });
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  const std::string token = Issue("alpha", "--connect " + (*echo)->target(), 8);
  auto listen =
      RunCommand(ProxyBinary() + " forward --control " + Control("alpha") +
                 " --listen 127.0.0.1:0 --remote " + NetnsPair::kIpB + ":7400 --site beta --token " + token);
  ASSERT_TRUE(listen.ok()) << listen.status().ToString();
  const net::Endpoint local = net::Endpoint::Parse(listen->substr(0, listen->find('\n'))).value();
  const uint64_t tx_before = pair_->TxBytes(Side::kA).value();

  std::atomic<int> exact{0};
  std::vector<std::thread> clients;
  size_t payload = 0;
  for (int i = 0; i < 8; ++i) {
    std::vector<uint8_t> data = i % 2 == 0 ? testdata::Text((2 << 20) + static_cast<size_t>(i) * 1001, i)
                                           : testdata::Random((1 << 20) + static_cast<size_t>(i) * 333, i);
    payload += data.size();
    clients.emplace_back([&, data = std::move(data)] {
      auto got = pair_->RunIn(Side::kA, [&] { return EchoThrough(local, data); });
      if (got.ok() && *got == data) ++exact;
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(exact, 8);
  const json s = StatusOf(token);
  EXPECT_EQ(s["state"], "succeeded") << s.dump();
  EXPECT_EQ(s["connections_opened"], 8);
  EXPECT_EQ(s["payload_bytes"], 2 * payload);  // echoed: each byte crossed twice
  const uint64_t on_wire = pair_->TxBytes(Side::kA).value() - tx_before;
  EXPECT_GT(on_wire, 0u);
  // The relay port at site A is gone for a ninth connection: the token allowed eight.
  auto ninth = pair_->RunIn(Side::kA, [&] { return EchoThrough(local, testdata::Text(1000)); });
  EXPECT_TRUE(!ninth.ok() || ninth->empty());
}

TEST_F(TransferIntegrationTest, ChannelListenerBindsExactlyTheConfiguredAddress) {
  // B's proxy listens on 10.213.0.2:7400 only, not on B's loopback.
  auto r = RunShell(pair_->Exec(Side::kB) + "sh -c 'exec 3<>/dev/tcp/127.0.0.1/7400' 2>&1");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  auto ss = RunCommand(pair_->Exec(Side::kB) + "ss -Htln");
  ASSERT_TRUE(ss.ok());
  EXPECT_NE(ss->find(std::string(NetnsPair::kIpB) + ":7400"), std::string::npos) << *ss;
  EXPECT_EQ(ss->find("0.0.0.0:7400"), std::string::npos) << *ss;
}

// A 64 MiB sparse image: text, random data, explicit zeros, holes.
std::string MakeImage(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto text = testdata::Text(6 << 20);
  const auto random = testdata::Random(2 << 20);
  const std::vector<uint8_t> zeros(8 << 20, 0);
  EXPECT_EQ(::pwrite(fd, text.data(), text.size(), 1 << 20), static_cast<ssize_t>(text.size()));
  EXPECT_EQ(::pwrite(fd, random.data(), random.size(), 24 << 20), static_cast<ssize_t>(random.size()));
  EXPECT_EQ(::pwrite(fd, zeros.data(), zeros.size(), 40 << 20), static_cast<ssize_t>(zeros.size()));
  EXPECT_EQ(::ftruncate(fd, 64 << 20), 0);
  ::close(fd);
  return path;
}

bool SameContent(const std::string& a, const std::string& b) {
  return RunShell("cmp -s " + ShellQuote(a) + " " + ShellQuote(b))->exit_code == 0;
}

TEST_F(TransferIntegrationTest, SendsASparseImageThroughTheProxies) {
  const std::string src = MakeImage(Path("disk.img"));
  const std::string dst = Path("beta-disk.img");
  const std::string token = Issue("alpha", "--receive-file " + dst);
  // A WAN-like link, where compressing text pays (on the unshaped veth, raw is faster and is chosen).
  ASSERT_TRUE(pair_->Shape(100).ok());
  const uint64_t tx_before = pair_->TxBytes(Side::kA).value();
  const auto out = SendFile("alpha", token, src);
  ASSERT_TRUE(pair_->Shape(0).ok());
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const json result = json::parse(out.out);
  EXPECT_EQ(result["size"], 64u << 20);
  EXPECT_LE(result["data_bytes"].get<uint64_t>(), 16u << 20) << "holes are not sent";
  const uint64_t on_wire = pair_->TxBytes(Side::kA).value() - tx_before;
  EXPECT_LT(on_wire, 5u << 20)
      << "text (6 MiB) compressed, zeros and holes nearly free, random (2 MiB) as is; " << out.out;
  EXPECT_TRUE(SameContent(src, dst));
  struct stat st {};
  ASSERT_EQ(::stat(dst.c_str(), &st), 0);
  EXPECT_LT(st.st_blocks * 512, 10 << 20) << "the copy keeps the image sparse";
  EXPECT_EQ(StatusOf(token)["state"], "succeeded");

  // The same token again: refused, with the reason, and nothing changes.
  const auto again = SendFile("alpha", token, src);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("was already used"), std::string::npos) << again.err;
}

TEST_F(TransferIntegrationTest, RefusesATokenOfAnotherPeerAndAnUnknownSite) {
  const std::string dst = Path("never.img");
  const std::string src = Path("small.img");
  { std::ofstream(src) << "small"; }
  const std::string for_gamma = Issue("gamma", "--receive-file " + dst);
  const auto wrong_peer = SendFile("alpha", for_gamma, src);
  EXPECT_NE(wrong_peer.exit_code, 0);
  EXPECT_NE(wrong_peer.err.find("issued to site 'gamma', not to 'alpha'"), std::string::npos)
      << wrong_peer.err;
  EXPECT_EQ(StatusOf(for_gamma, false)["state"], "issued");

  const std::string for_alpha = Issue("alpha", "--receive-file " + dst);
  const auto unknown = SendFile("delta", for_alpha, src);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown site 'delta'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(std::filesystem::exists(dst));
}

TEST_F(TransferIntegrationTest, LinkCutMidTransferFailsBothSidesWithAReason) {
  // 24 MiB of random data over a 20 Mbit/s link takes ~10 s; the cable is pulled after ~1 s.
  const std::string src = Path("random.img");
  {
    const auto data = testdata::Random(24 << 20, 99);
    std::ofstream(src, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  }
  const std::string dst = Path("cut.img");
  const std::string token = Issue("alpha", "--receive-file " + dst);
  ASSERT_TRUE(pair_->Shape(20).ok());
  std::optional<tern::testing::CommandOutput> out;
  std::thread sender([&] { out = SendFile("alpha", token, src); });
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(pair_->SetLinkUp(false).ok());
  const auto start = std::chrono::steady_clock::now();
  sender.join();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(pair_->SetLinkUp(true).ok());
  ASSERT_TRUE(pair_->Shape(0).ok());
  ASSERT_TRUE(out.has_value());
  EXPECT_NE(out->exit_code, 0) << out->out;
  EXPECT_FALSE(out->err.empty());
  EXPECT_LT(took, 15s) << "the link timeout (2 s) bounds how long a dead link goes unnoticed";
  const json s = StatusOf(token);
  EXPECT_EQ(s["state"], "failed") << s.dump();
  EXPECT_FALSE(s["detail"].get<std::string>().empty());
  EXPECT_FALSE(std::filesystem::exists(dst));
  EXPECT_FALSE(std::filesystem::exists(dst + ".partial"));
}

}  // namespace
}  // namespace tern::transfer
