// Tests of the simulated hosts harness (scripts/simhosts + SimHosts): isolation, identity, connectivity, and
// that teardown leaves nothing behind, also when the owning process is SIGKILLed.
#include "sim_hosts.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tern::testing {
namespace {

using namespace std::chrono_literals;

std::string Trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (!Trimmed(line).empty()) lines.push_back(Trimmed(line));
  }
  return lines;
}

// Network namespaces of a run (by its id) in `ip netns list`.
std::vector<std::string> RunNamespaces(const std::string& run_id) {
  auto list = RunCommand("ip netns list");
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> found;
  if (!list.ok()) return found;
  for (const auto& line : Lines(*list)) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.rfind("tern-" + run_id + "-", 0) == 0) found.push_back(name);
  }
  return found;
}

std::string MountNsOf(int pid) {
  std::error_code ec;
  const auto link = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/mnt", ec);
  return ec ? "" : link.string();
}

// Live processes whose mount namespace is `mnt_ns` ("mnt:[4026...]").
std::vector<int> ProcessesInMountNs(const std::string& mnt_ns) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(name);
    if (MountNsOf(pid) == mnt_ns) pids.push_back(pid);
  }
  return pids;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Virsh(const SimHost& h, const std::string& args) {
  auto r = RunCommand("virsh -q -c " + ShellQuote(h.uri) + " " + args);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? Trimmed(*r) : "";
}

std::string HostUuidFromCapabilities(const std::string& caps) {
  const auto host = caps.find("<host>");
  const auto b = caps.find("<uuid>", host);
  const auto e = caps.find("</uuid>", b);
  if (host == std::string::npos || b == std::string::npos || e == std::string::npos) return "";
  return caps.substr(b + 6, e - b - 6);
}

// Reachability from inside a host: ping when installed, else a TCP connect to libvirtd's port.
std::string ProbeCommand(const std::string& ip) {
  return "if command -v ping >/dev/null; then ping -c 1 -W 2 " + ip +
         " >/dev/null; else timeout 2 bash -c '</dev/tcp/" + ip + "/16509'; fi";
}

class SimHostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = SimHostsUnavailableReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }
};

TEST_F(SimHostsTest, TwoHostsAreIsolatedConnectedAndTornDownCompletely) {
  const auto t0 = std::chrono::steady_clock::now();
  auto started = SimHosts::Start(2);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  SimHosts& hosts = **started;
  std::cerr
      << "[ simhosts ] up 2 hosts: "
      << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
      << " ms\n";
  ASSERT_EQ(hosts.size(), 2);
  const SimHost& h1 = hosts.host(1);
  const SimHost& h2 = hosts.host(2);
  EXPECT_NE(h1.ip, h2.ip);
  EXPECT_NE(h1.ns, h2.ns);

  // Each libvirtd answers on its own socket, with its own hostname and host UUID.
  EXPECT_EQ(Virsh(h1, "hostname"), h1.hostname);
  EXPECT_EQ(Virsh(h2, "hostname"), h2.hostname);
  EXPECT_NE(h1.hostname, h2.hostname);
  EXPECT_EQ(HostUuidFromCapabilities(Virsh(h1, "capabilities")), h1.uuid);
  EXPECT_EQ(HostUuidFromCapabilities(Virsh(h2, "capabilities")), h2.uuid);
  EXPECT_NE(h1.uuid, h2.uuid);

  // Inside a host: its own hostname and private libvirt directories.
  auto hn = hosts.Exec(1, "hostname 2>/dev/null || cat /proc/sys/kernel/hostname");
  ASSERT_TRUE(hn.ok()) << hn.status().ToString();
  EXPECT_EQ(Trimmed(*hn), h1.hostname);
  auto conf = hosts.Exec(2, "cat /etc/libvirt/libvirtd.conf");
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  EXPECT_NE(conf->find(h2.uuid), std::string::npos);

  // The hosts reach each other (and the fabric), also libvirtd over TCP as peer-to-peer migration needs.
  auto ping = hosts.Exec(1, ProbeCommand(h2.ip));
  EXPECT_TRUE(ping.ok()) << ping.status().ToString();
  auto ping_fabric = hosts.Exec(2, ProbeCommand(hosts.fabric_ip()));
  EXPECT_TRUE(ping_fabric.ok()) << ping_fabric.status().ToString();
  auto tcp = hosts.Exec(1, "virsh -q -c " + ShellQuote(h2.tcp_uri) + " hostname");
  ASSERT_TRUE(tcp.ok()) << tcp.status().ToString();
  EXPECT_EQ(Trimmed(*tcp), h2.hostname);
  auto from_fabric = hosts.ExecInFabric("virsh -q -c " + ShellQuote(h1.tcp_uri) + " hostname");
  ASSERT_TRUE(from_fabric.ok()) << from_fabric.status().ToString();
  EXPECT_EQ(Trimmed(*from_fabric), h1.hostname);

  // A failing command reports host, command and exit code.
  auto fails = hosts.Exec(1, "echo oops >&2; exit 3");
  ASSERT_FALSE(fails.ok());
  EXPECT_NE(fails.status().message().find("h1"), std::string::npos);
  EXPECT_NE(fails.status().message().find("exited with 3"), std::string::npos);
  EXPECT_NE(fails.status().message().find("oops"), std::string::npos);

  // h1's network namespace sees only lo and its eth0, none of the root namespace's interfaces or addresses.
  auto links = hosts.Exec(1, "ls /sys/class/net");
  ASSERT_TRUE(links.ok()) << links.status().ToString();
  const std::vector<std::string> link_names = Lines(*links);
  EXPECT_EQ(std::set<std::string>(link_names.begin(), link_names.end()),
            (std::set<std::string>{"eth0", "lo"}));
  auto h1_mac = hosts.Exec(1, "cat /sys/class/net/eth0/address");
  ASSERT_TRUE(h1_mac.ok());
  auto root_macs = RunCommand("cat /sys/class/net/*/address");
  ASSERT_TRUE(root_macs.ok());
  for (const auto& mac : Lines(*root_macs)) {
    if (mac != "00:00:00:00:00:00") {
      EXPECT_NE(mac, Trimmed(*h1_mac));
    }
  }
  auto h1_addrs = hosts.Exec(1, "ip -4 -o addr show");
  auto root_addrs = RunCommand("ip -4 -o addr show | awk '{print $4}'");
  ASSERT_TRUE(h1_addrs.ok() && root_addrs.ok());
  for (const auto& addr : Lines(*root_addrs)) {
    if (addr.rfind("127.", 0) != 0) {
      EXPECT_EQ(h1_addrs->find(" " + addr + " "), std::string::npos) << addr;
    }
  }

  // Restarting libvirtd keeps the host's identity.
  ASSERT_TRUE(hosts.RestartLibvirtd(2).ok());
  EXPECT_EQ(Virsh(h2, "hostname"), h2.hostname);

  // Teardown: nothing of the run is left.
  const std::string run_dir = hosts.run_dir();
  const std::string run_id = hosts.run_id();
  const std::string mnt1 = MountNsOf(h1.anchor_pid);
  const std::string mnt2 = MountNsOf(h2.anchor_pid);
  ASSERT_FALSE(mnt1.empty());
  ASSERT_NE(mnt1, MountNsOf(::getpid()));
  EXPECT_EQ(RunNamespaces(run_id).size(), 3u);
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(hosts.Down().ok());
  std::cerr
      << "[ simhosts ] down: "
      << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t1).count()
      << " ms\n";
  EXPECT_TRUE(RunNamespaces(run_id).empty());
  EXPECT_TRUE(ProcessesInMountNs(mnt1).empty());
  EXPECT_TRUE(ProcessesInMountNs(mnt2).empty());
  EXPECT_FALSE(std::filesystem::exists(run_dir));
  EXPECT_FALSE(std::filesystem::exists("/run/tern-simhosts/" + run_id));
  EXPECT_TRUE(hosts.Down().ok());  // idempotent
}

TEST_F(SimHostsTest, WatchdogTearsDownWhenTheOwnerIsKilled) {
  char tmpl[] = "/tmp/tern-sim-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string run_dir = tmpl;
  const std::string script = SimHostsScript();

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The owner: brings one host up, then lives until killed (exec keeps the pid the watchdog watches).
    const std::string cmd =
        ShellQuote(script) + " up " + ShellQuote(run_dir) + " 1 --owner $$ >/dev/null && exec sleep 600";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the run is up (RUNDIR/env is written last).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool up = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(run_dir + "/env")) {
      up = true;
      break;
    }
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) break;  // up failed
    std::this_thread::sleep_for(50ms);
  }
  if (!up) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    (void)RunShell(ShellQuote(script) + " down " + ShellQuote(run_dir));
    FAIL() << "simhosts up did not come up under a child owner";
  }
  const std::string env = ReadAll(run_dir + "/env");
  const auto id_at = env.find("RUN_ID=");
  ASSERT_NE(id_at, std::string::npos);
  const std::string run_id = env.substr(id_at + 7, 6);
  const auto pid_at = env.find("H1_ANCHOR_PID=");
  ASSERT_NE(pid_at, std::string::npos);
  const std::string mnt = MountNsOf(std::stoi(env.substr(pid_at + 14)));
  ASSERT_FALSE(mnt.empty());
  EXPECT_EQ(RunNamespaces(run_id).size(), 2u);

  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  bool clean = false;
  while (std::chrono::steady_clock::now() < killed_at + 10s) {
    if (RunNamespaces(run_id).empty() && !std::filesystem::exists(run_dir) &&
        ProcessesInMountNs(mnt).empty()) {
      clean = true;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  std::cerr << "[ simhosts ] watchdog cleanup after SIGKILL of the owner: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                     killed_at)
                   .count()
            << " ms\n";
  EXPECT_TRUE(clean) << "run " << run_id << " still present 10 s after its owner was killed";
  if (!clean) (void)RunShell(ShellQuote(script) + " down " + ShellQuote(run_dir));
}

}  // namespace
}  // namespace tern::testing
