// bench/transfer: (1) each codec's ratio and single-core speed on incompressible, text-like and RAM-like
// data; (2) payload throughput and bytes on the wire of a tern-proxy pair between two network namespaces
// (site A sends to a sink inside site B), next to a plain TCP copy and a socat relay pair measured in the
// same run, on the bare veth link and on one shaped to 100 Mbit/s. Usage: transfer_bench [SIZE_MIB]. Needs
// root.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "../../tests/common/temp_dir.h"
#include "../../tests/transfer/test_data.h"
#include "federation/site_key.h"
#include "federation/trust_store.h"
#include "netns_pair.h"
#include "sim_hosts.h"
#include "transfer/batch_codec.h"
#include "transfer/control_socket.h"
#include "transfer/tcp.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tern::Result;
using tern::Status;
using tern::net::Endpoint;
using tern::testing::RunCommand;
using tern::transfer::testing::NetnsPair;
using Side = NetnsPair::Side;
namespace transfer = tern::transfer;
namespace testdata = tern::transfer::testdata;

double CpuNow() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Payload {
  const char* name;
  std::vector<uint8_t> bytes;
};

std::vector<Payload> Payloads(size_t size) {
  std::vector<Payload> p;
  p.push_back({"random", testdata::Random(size, 7)});
  p.push_back({"text", testdata::Text(size, 8)});
  p.push_back({"ram-like", testdata::ZeroHeavy(size, 0.5, 9)});  // half zero pages, half text
  p.push_back({"zero", std::vector<uint8_t>(size, 0)});
  return p;
}

void CodecTable(const std::vector<Payload>& payloads) {
  std::printf("\n== codecs: compressed/raw and single-core speed (1 MiB batches, checksum included)\n");
  std::printf("%-10s", "data");
  const transfer::CodecChoice codecs[] = {{transfer::Codec::kLz4, 0},
                                          {transfer::Codec::kZstd, 1},
                                          {transfer::Codec::kZstd, 3},
                                          {transfer::Codec::kZstd, 6},
                                          {transfer::Codec::kZstd, 9}};
  for (const auto& c : codecs) std::printf(" %20s", transfer::CodecChoiceName(c).c_str());
  std::printf("\n");
  transfer::BatchEncoder enc;
  for (const Payload& p : payloads) {
    if (std::string(p.name) == "zero") continue;
    std::printf("%-10s", p.name);
    const size_t n = std::min<size_t>(p.bytes.size(), 32 << 20);
    for (const auto& c : codecs) {
      size_t out_bytes = 0;
      const double t0 = CpuNow();
      for (size_t off = 0; off < n; off += 1 << 20) {
        std::vector<uint8_t> out;
        out_bytes += enc.Encode(std::span(p.bytes).subspan(off, std::min<size_t>(1 << 20, n - off)), c, out)
                         .compressed;
      }
      const double secs = CpuNow() - t0;
      std::printf("   %5.3f @ %6.0f MB/s", static_cast<double>(out_bytes) / static_cast<double>(n),
                  static_cast<double>(n) / secs / 1e6);
    }
    std::printf("\n");
  }
}

// Accepts one connection, reads until EOF, then closes: the receiving application.
class Sink {
 public:
  static std::unique_ptr<Sink> Start(const Endpoint& at) {
    auto s = std::make_unique<Sink>();
    s->fd_ = transfer::ListenTcp(at, "sink").value();
    s->endpoint_ = transfer::LocalEndpoint(s->fd_.get()).value();
    s->thread_ = std::thread([p = s.get()] {
      auto c = transfer::AcceptTcp(p->fd_.get());
      if (!c.ok()) return;
      std::vector<uint8_t> buf(1 << 20);
      while (true) {
        const ssize_t n = ::recv(c->get(), buf.data(), buf.size(), 0);
        if (n <= 0) break;
        p->received_ += static_cast<uint64_t>(n);
      }
    });
    return s;
  }
  ~Sink() {
    ::shutdown(fd_.get(), SHUT_RDWR);
    thread_.join();
  }
  uint64_t Received() {
    thread_.join();
    thread_ = std::thread([] {});
    return received_;
  }
  Endpoint endpoint_;

 private:
  tern::net::UniqueFd fd_;
  std::thread thread_;
  uint64_t received_ = 0;
};

// Sends the payload, half-closes, waits for the far end to close: seconds, or an error.
Result<double> SendAll(const Endpoint& to, const std::vector<uint8_t>& data) {
  const auto start = std::chrono::steady_clock::now();
  auto fd = transfer::ConnectTcp(to, 5000ms, "bench client");
  if (!fd.ok()) return fd.status();
  TERN_RETURN_IF_ERROR(transfer::WriteAll(fd->get(), data));
  ::shutdown(fd->get(), SHUT_WR);
  char c;
  while (::recv(fd->get(), &c, 1, 0) > 0) {
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class Bench {
 public:
  Bench(NetnsPair& pair, tern::testing::TempDir& dir) : pair_(pair), dir_(dir) {}

  Status StartProxies() {
    const std::string bin = std::string(TERN_BINARY_DIR) + "/apps/tern-proxy";
    for (const char* site : {"alpha", "beta"}) {
      TERN_RETURN_IF_ERROR(RunCommand(bin + " key --key " + dir_.Path(std::string(site) + ".key")).status());
    }
    for (const auto& [site, partner] : {std::pair{"alpha", "beta"}, std::pair{"beta", "alpha"}}) {
      TERN_ASSIGN_OR_RETURN(
          auto store, tern::federation::TrustStore::Open(dir_.Path(std::string(site) + ".trust"), site));
      TERN_ASSIGN_OR_RETURN(auto key,
                            tern::federation::SiteKey::Load(dir_.Path(std::string(partner) + ".key")));
      tern::federation::Partner p;
      p.name = partner;
      p.url = std::string("https://") + partner + ".example";
      p.public_key = key.public_key();
      TERN_RETURN_IF_ERROR(store.Add(p));
    }
    for (const auto& [side, site, listen] :
         {std::tuple{Side::kA, "alpha", ""}, std::tuple{Side::kB, "beta", " --listen 10.213.0.2:7400"}}) {
      TERN_ASSIGN_OR_RETURN(const std::string pid,
                            RunCommand(pair_.Exec(side) + bin + " run --site " + site + " --key " +
                                       dir_.Path(std::string(site) + ".key") + " --trust " +
                                       dir_.Path(std::string(site) + ".trust") + " --control " +
                                       dir_.Path(std::string(site) + ".sock") + listen + " >>" +
                                       dir_.Path(std::string(site) + ".log") + " 2>&1 & echo $!"));
      pids_.push_back(std::stoi(pid));
    }
    for (int i = 0; i < 200; ++i) {
      if (transfer::ControlCall(dir_.Path("alpha.sock"), json{{"op", "counters"}}).ok() &&
          transfer::ControlCall(dir_.Path("beta.sock"), json{{"op", "counters"}}).ok()) {
        return Status::Ok();
      }
      std::this_thread::sleep_for(50ms);
    }
    return Status::Unavailable("tern-proxy did not start; see " + dir_.path());
  }
  ~Bench() {
    for (const int pid : pids_) ::kill(pid, SIGTERM);
  }

  // One transfer of `data` along `path`; prints a row.
  void Row(const std::string& link, const Payload& p, const std::string& path) {
    std::unique_ptr<Sink> sink;
    const bool via_proxy = path == "tern-proxy";
    const bool via_socat = path == "socat pair";
    const Endpoint sink_at = Endpoint::Parse(via_proxy || via_socat ? "127.0.0.1:0" : "10.213.0.2:0").value();
    (void)pair_.RunIn(Side::kB, [&]() -> Status {
      sink = Sink::Start(sink_at);
      return Status::Ok();
    });
    Endpoint target = sink->endpoint_;
    std::vector<int> socat_pids;
    if (via_proxy) {
      auto token =
          transfer::ControlCall(dir_.Path("beta.sock"), json{{"op", "issue"},
                                                             {"vm", "bench"},
                                                             {"direction", "destination"},
                                                             {"peer", "alpha"},
                                                             {"kind", "connect"},
                                                             {"target", sink->endpoint_.ToString()}});
      auto fwd = transfer::ControlCall(dir_.Path("alpha.sock"), json{{"op", "forward"},
                                                                     {"listen", "127.0.0.1:0"},
                                                                     {"remote", "10.213.0.2:7400"},
                                                                     {"site", "beta"},
                                                                     {"token", (*token)["token"]}});
      target = Endpoint::Parse((*fwd)["listen"].get<std::string>()).value();
    } else if (via_socat) {
      const int port = 7500 + static_cast<int>(++socat_runs_);
      socat_pids.push_back(
          std::stoi(RunCommand(pair_.Exec(Side::kB) + "socat TCP-LISTEN:" + std::to_string(port) +
                               ",bind=10.213.0.2,reuseaddr TCP:" + sink->endpoint_.ToString() +
                               " >/dev/null 2>&1 & echo $!")
                        .value()));
      socat_pids.push_back(
          std::stoi(RunCommand(pair_.Exec(Side::kA) + "socat TCP-LISTEN:" + std::to_string(port) +
                               ",bind=127.0.0.1,reuseaddr TCP:10.213.0.2:" + std::to_string(port) +
                               " >/dev/null 2>&1 & echo $!")
                        .value()));
      target = Endpoint::Parse("127.0.0.1:" + std::to_string(port)).value();
      std::this_thread::sleep_for(300ms);
    }
    const uint64_t tx0 = pair_.TxBytes(Side::kA).value();
    auto secs = pair_.RunIn(Side::kA, [&] { return SendAll(target, p.bytes); });
    const uint64_t wire = pair_.TxBytes(Side::kA).value() - tx0;
    const uint64_t got = sink->Received();
    for (const int pid : socat_pids) ::kill(pid, SIGTERM);
    if (!secs.ok() || got != p.bytes.size()) {
      std::printf("%-9s %-9s %-12s failed: %s (sink got %lu of %zu bytes)\n", link.c_str(), p.name,
                  path.c_str(), secs.ok() ? "short" : secs.status().ToString().c_str(),
                  static_cast<unsigned long>(got), p.bytes.size());
      return;
    }
    const double mib = static_cast<double>(p.bytes.size()) / (1 << 20);
    std::printf("%-9s %-9s %-12s %9.1f %10.2f %10.1f %9.3f\n", link.c_str(), p.name, path.c_str(),
                static_cast<double>(p.bytes.size()) / *secs / 1e6, *secs,
                static_cast<double>(wire) / (1 << 20), static_cast<double>(wire) / (mib * (1 << 20)));
  }

 private:
  NetnsPair& pair_;
  tern::testing::TempDir& dir_;
  std::vector<int> pids_;
  unsigned socat_runs_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const size_t mib = argc > 1 ? std::stoul(argv[1]) : 64;
  auto machine = RunCommand("echo $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)");
  std::printf("bench/transfer: %zu MiB per transfer; %s", mib, machine.ok() ? machine->c_str() : "?\n");
  const auto payloads = Payloads(mib << 20);
  CodecTable(payloads);

  if (const std::string why = NetnsPair::UnavailableReason(); !why.empty()) {
    std::fprintf(stderr, "bench/transfer: %s\n", why.c_str());
    return 2;
  }
  auto pair = NetnsPair::Create("txb");
  if (!pair.ok()) {
    std::fprintf(stderr, "bench/transfer: %s\n", pair.status().ToString().c_str());
    return 1;
  }
  tern::testing::TempDir dir;
  Bench bench(**pair, dir);
  if (Status s = bench.StartProxies(); !s.ok()) {
    std::fprintf(stderr, "bench/transfer: %s\n", s.ToString().c_str());
    return 1;
  }
  const bool socat = RunCommand("command -v socat").ok();
  std::printf("\n== %zu MiB from site A to a sink in site B (wire = bytes sent on A's veth, incl. headers)\n",
              mib);
  std::printf("%-9s %-9s %-12s %9s %10s %10s %9s\n", "link", "data", "path", "MB/s", "seconds", "wire MiB",
              "wire/raw");
  for (const int mbit : {0, 100}) {
    if (!(*pair)->Shape(mbit).ok()) {
      std::fprintf(stderr, "bench/transfer: cannot shape the link\n");
      return 1;
    }
    const std::string link = mbit == 0 ? "veth" : std::to_string(mbit) + "Mbit";
    for (const Payload& p : payloads) {
      bench.Row(link, p, "plain TCP");
      if (socat) bench.Row(link, p, "socat pair");
      bench.Row(link, p, "tern-proxy");
    }
  }
  return 0;
}
