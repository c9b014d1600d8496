// bench/vswitch, VM ports: two test guests (QEMU TCG) exchange pings and TCP streams over
//   - a direct QEMU-to-QEMU UDP socket link on one host, no switch (the reference: what the guests' emulated
//     NICs achieve over a socket netdev at all),
//   - a tern network on one host (one tern-switch daemon, VM port to VM port),
//   - a tern network across two simulated hosts (two daemons, authenticated; and authenticated + encrypted),
// all in the same run, through ternd (`tern net create`, `tern vm deploy`). The guests measure themselves
// (busybox ping and nc, docs/test-guest.md): TCP throughput (median of BENCH_REPS transfers of BENCH_MIB MiB;
// iperf3 is not in the guest), then ping RTT (median and 90th percentile of BENCH_PINGS replies at 100 ms,
// taken after the transfers so that the stream does not inflate them).
//   BENCH_MIB=16 BENCH_REPS=3 BENCH_PINGS=50 BENCH_ONLY="direct local tern tern-enc"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/files.h"
#include "ternd_cluster.h"

using tern::testing::ShellQuote;
using tern::testing::TerndCluster;

namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : fallback;
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

struct Path {
  std::string key, label;
  int sink_host, sender_host;
  std::string network;  // tern network, or "" for the direct UDP link
};

struct Figures {
  std::vector<double> rtt_ms;
  std::vector<double> mbit_s;
  std::string error;
};

class Bench {
 public:
  explicit Bench(TerndCluster& c) : c_(c), dir_(c.hosts().run_dir() + "/bench") {
    (void)tern::MakeDirs(dir_);
  }

  Figures Measure(const Path& p, int mib, int reps, int pings) {
    Figures f;
    const std::string sink = p.key + "-sink";
    const std::string sender = p.key + "-send";
    std::string nic_sink, nic_sender;
    if (p.network.empty()) {
      nic_sink = "    - type: udp\n      local_port: 43000\n      remote_port: 43001\n";
      nic_sender = "    - type: udp\n      local_port: 43001\n      remote_port: 43000\n";
    } else {
      nic_sink = nic_sender = "    - type: tern\n      network: " + p.network + "\n";
    }
    const std::string args = " tern.ping_ms=100 tern.mtu=1414";
    if (std::string e =
            Deploy(sink, p.sink_host, nic_sink, "10.79.0.1", "10.79.0.2", args + " tern.tcp_sink=5001");
        !e.empty()) {
      f.error = e;
      return f;
    }
    const std::string send =
        " tern.tcp_send=10.79.0.1:5001:" + std::to_string(mib) + ":" + std::to_string(reps);
    if (std::string e = Deploy(sender, p.sender_host, nic_sender, "10.79.0.2", "10.79.0.1", args + send);
        !e.empty()) {
      f.error = e;
    } else {
      Collect(sender, p.sender_host, reps, pings, f);
    }
    for (const auto& [vm, host] : {std::pair{sink, p.sink_host}, std::pair{sender, p.sender_host}}) {
      (void)c_.Tern(host, "vm destroy " + vm);
    }
    return f;
  }

 private:
  std::string Deploy(const std::string& name, int host, const std::string& nics, const std::string& ip,
                     const std::string& ping, const std::string& args) {
    const std::string guest = tern::testing::TestGuestDir();
    const std::string path = dir_ + "/" + name + ".yaml";
    const std::string manifest =
        "vm:\n  name: " + name + "\n  memory_mib: 128\n  boot:\n    kernel: " + guest +
        "/vmlinuz\n    initrd: " + guest +
        "/initrd.img\n    cmdline: \"console=ttyS0 panic=-1 tern.ip=" + ip + "/24 tern.ping=" + ping + args +
        "\"\n  nics:\n" + nics + "context:\n  service:\n    priority: 10\n";
    if (auto s = tern::WriteFileAtomic(path, manifest); !s.ok()) return s.ToString();
    auto r = c_.Tern(host, "vm deploy " + ShellQuote(path));
    if (!r.ok()) return r.status().ToString();
    if (r->exit_code != 0) return "deploy " + name + ": " + r->err;
    return "";
  }

  void Collect(const std::string& vm, int host, int reps, int pings, Figures& f) {
    static const std::regex ping_re(R"(TERN:PING to=\S+ seq=\d+ rtt_ms=([0-9.]+))");
    static const std::regex tcp_re(R"(TERN:TCP-SEND to=\S+ rep=\d+ bytes=(\d+) ms=(\d+))");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (true) {
      auto log = tern::ReadFile(c_.SerialLog(host, vm));
      f.rtt_ms.clear();
      f.mbit_s.clear();
      if (log.ok()) {
        // Pings are counted once the transfers are over, so that the stream does not inflate the RTT.
        size_t after = std::string::npos;
        for (auto it = std::sregex_iterator(log->begin(), log->end(), tcp_re); it != std::sregex_iterator();
             ++it) {
          f.mbit_s.push_back(std::stod((*it)[1]) * 8 / 1e6 / (std::stod((*it)[2]) / 1e3));
          after = static_cast<size_t>(it->position() + it->length());
        }
        if (static_cast<int>(f.mbit_s.size()) >= reps) {
          for (auto it = std::sregex_iterator(log->begin() + static_cast<std::ptrdiff_t>(after), log->end(),
                                              ping_re);
               it != std::sregex_iterator(); ++it) {
            f.rtt_ms.push_back(std::stod((*it)[1]));
          }
        }
      }
      if (static_cast<int>(f.rtt_ms.size()) >= pings && static_cast<int>(f.mbit_s.size()) >= reps) return;
      if (std::chrono::steady_clock::now() > deadline) {
        f.error = vm + ": " + std::to_string(f.rtt_ms.size()) + " ping replies and " +
                  std::to_string(f.mbit_s.size()) + " transfers after 300 s";
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  TerndCluster& c_;
  std::string dir_;
};

}  // namespace

int main() {
  if (const std::string why = tern::testing::IntegrationUnavailableReason(); !why.empty()) {
    std::fprintf(stderr, "vm_ports_bench: cannot run here: %s\n", why.c_str());
    return 2;
  }
  const int mib = EnvInt("BENCH_MIB", 16);
  const int reps = EnvInt("BENCH_REPS", 3);
  const int pings = EnvInt("BENCH_PINGS", 50);
  const char* only_env = std::getenv("BENCH_ONLY");
  const std::string only = only_env != nullptr ? only_env : "direct local tern tern-enc";
  std::fprintf(stderr, "vm_ports_bench: starting 2 simulated hosts with ternd\n");
  auto cluster = TerndCluster::Start(2, {{}, {}});
  if (!cluster.ok()) {
    std::fprintf(stderr, "vm_ports_bench: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  TerndCluster& c = **cluster;
  for (const char* cmd : {"net create bench", "net create bench-enc --encrypt"}) {
    auto r = c.Tern(1, cmd);
    if (!r.ok() || r->exit_code != 0) {
      std::fprintf(stderr, "vm_ports_bench: tern %s: %s\n", cmd, r.ok() ? r->err.c_str() : "failed");
      return 1;
    }
  }
  const std::vector<Path> paths{
      {"direct", "QEMU-QEMU UDP link, 1 host (no switch)", 1, 1, ""},
      {"local", "tern-switch, 1 host (VM port to VM port)", 1, 1, "bench"},
      {"tern", "tern-switch, 2 hosts, auth", 1, 2, "bench"},
      {"tern-enc", "tern-switch, 2 hosts, auth+encrypt", 1, 2, "bench-enc"},
  };
  Bench bench(c);
  std::vector<std::pair<const Path*, Figures>> results;
  for (const auto& p : paths) {
    if (std::istringstream(only).str().find(p.key) == std::string::npos) continue;
    std::fprintf(stderr, "vm_ports_bench: %s\n", p.label.c_str());
    results.emplace_back(&p, bench.Measure(p, mib, reps, pings));
  }
  std::printf(
      "\ntern-switch VM ports between two test guests (QEMU TCG, 1 vCPU, 128 MiB, MTU 1414): %u cores, "
      "ping every 100 ms (%d replies), TCP median of %d x %d MiB (busybox nc)\n",
      std::thread::hardware_concurrency(), pings, reps, mib);
  std::printf("%-44s %12s %12s %14s  %s\n", "path", "ping ms p50", "ping ms p90", "TCP Mbit/s", "runs");
  for (const auto& [p, f] : results) {
    std::ostringstream runs;
    for (double m : f.mbit_s) runs << (runs.tellp() > 0 ? " " : "") << static_cast<int>(m);
    if (!f.error.empty()) runs << " (" << f.error << ")";
    std::printf("%-44s %12.2f %12.2f %14.0f  %s\n", p->label.c_str(), Quantile(f.rtt_ms, 0.5),
                Quantile(f.rtt_ms, 0.9), Quantile(f.mbit_s, 0.5), runs.str().c_str());
  }
  return 0;
}
