// tern-switch across simulated hosts: TAP endpoints (each in its own network namespace inside a host) ping
// each other through the daemons; two networks with the same IP and MAC addresses stay isolated; forged,
// foreign and malformed datagrams are dropped and counted; membership follows joins, failures, restarts and
// clean leaves.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sim_hosts.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string SwitchBinary() {
  return std::string(TERN_BINARY_DIR) + "/apps/tern-switch";
}

class VswitchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string why = SimHostsUnavailableReason();
    if (!why.empty()) return;
    auto h = SimHosts::Start(3);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    hosts_ = std::move(*h).release();
    for (const auto* name : {"blue", "red", "other"}) {
      ASSERT_TRUE(RunCommand(SwitchBinary() + " genkey " + Dir() + "/" + name + ".key").ok());
    }
  }
  static void TearDownTestSuite() {
    if (hosts_ == nullptr) return;
    for (const auto& ns : endpoint_namespaces_) (void)RunShell("ip netns del " + ns);
    endpoint_namespaces_.clear();
    (void)hosts_->Down();
    delete hosts_;
    hosts_ = nullptr;
  }
  void SetUp() override {
    const std::string why = SimHostsUnavailableReason();
    if (!why.empty()) GTEST_SKIP() << why;
    if (!std::filesystem::exists(SwitchBinary()))
      GTEST_SKIP() << "tern-switch is not built: " << SwitchBinary();
    ASSERT_NE(hosts_, nullptr);
  }
  void TearDown() override {
    for (int pid : pids_) ::kill(pid, SIGKILL);
    pids_.clear();
    std::this_thread::sleep_for(100ms);
  }

  static std::string Dir() { return hosts_->run_dir(); }
  static std::string Ip(int host) { return hosts_->host(host).ip; }
  static std::string Listen(int host, int port) { return Ip(host) + ":" + std::to_string(port); }
  static std::string Status(int host, const std::string& net) {
    return Dir() + "/" + net + "-h" + std::to_string(host) + ".json";
  }

  // Starts a daemon for `net` in host `host`; returns its pid.
  int StartSwitch(int host, const std::string& net, int port, const std::string& extra,
                  const std::string& key = "") {
    const std::string cmd =
        "ip netns exec " + hosts_->host(host).ns + " sh -c " +
        ShellQuote("exec " + SwitchBinary() + " run --network " + net + " --key-file " + Dir() + "/" +
                   (key.empty() ? net : key) + ".key --listen " + Listen(host, port) +
                   " --heartbeat-ms 100 --dead-after-ms 700 --status-file " + Status(host, net) + " " +
                   extra + " >>" + Dir() + "/" + net + "-h" + std::to_string(host) + ".log 2>&1 & echo $!");
    auto out = RunCommand(cmd);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    const int pid = out.ok() ? std::stoi(*out) : -1;
    if (pid > 0) pids_.push_back(pid);
    return pid;
  }

  // Moves TAP `dev` of host `host` into a fresh namespace with address `ip`/24 and MAC `mac`.
  static std::string Endpoint(int host, const std::string& dev, const std::string& ip,
                              const std::string& mac) {
    const std::string ns = "tern-" + hosts_->run_id() + "-ep-" + dev + "-h" + std::to_string(host);
    const std::string hns = hosts_->host(host).ns;
    (void)RunShell("ip netns del " + ns);
    std::string err;
    for (int i = 0; i < 50; ++i) {  // the daemon creates the TAP
      if (RunShell("ip -n " + hns + " link show " + dev).value().exit_code == 0) break;
      std::this_thread::sleep_for(50ms);
    }
    auto r = RunCommand("ip netns add " + ns + " && ip -n " + hns + " link set " + dev + " netns " + ns +
                        " && ip -n " + ns + " link set " + dev + " address " + mac + " && ip -n " + ns +
                        " addr add " + ip + "/24 dev " + dev + " && ip -n " + ns + " link set " + dev +
                        " up && ip -n " + ns + " link set lo up");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    endpoint_namespaces_.push_back(ns);
    return ns;
  }

  static bool Ping(const std::string& ns, const std::string& ip, int count = 2) {
    auto r = RunShell("ip netns exec " + ns + " ping -c " + std::to_string(count) + " -i 0.2 -W 1 " + ip);
    return r.ok() && r->exit_code == 0;
  }

  static json ReadStatus(int host, const std::string& net) {
    std::ifstream in(Status(host, net));
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str(), nullptr, false);
  }

  // Waits up to `timeout` for `pred(status)`; returns the last status.
  static json WaitStatus(int host, const std::string& net, const std::function<bool(const json&)>& pred,
                         std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json s;
    while (std::chrono::steady_clock::now() < deadline) {
      s = ReadStatus(host, net);
      if (!s.is_discarded() && s.is_object() && pred(s)) return s;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "host " << host << " network " << net
                  << ": condition not reached; last status: " << s.dump();
    return s;
  }
  static auto Peers(size_t n) {
    return [n](const json& s) { return s["peers"].size() == n; };
  }

  static SimHosts* hosts_;
  static std::vector<std::string> endpoint_namespaces_;
  std::vector<int> pids_;
};

SimHosts* VswitchTest::hosts_ = nullptr;
std::vector<std::string> VswitchTest::endpoint_namespaces_;

TEST_F(VswitchTest, EndpointsPingAcrossHostsAndNetworksStayIsolated) {
  // Two networks with the same IP and MAC addresses on the same two hosts.
  StartSwitch(1, "blue", 7000, "--tap tb1");
  StartSwitch(2, "blue", 7000, "--tap tb2 --join " + Listen(1, 7000));
  StartSwitch(1, "red", 7001, "--tap tr1");
  const int red2 = StartSwitch(2, "red", 7001, "--tap tr2 --join " + Listen(1, 7001));
  const auto b1 = Endpoint(1, "tb1", "192.168.77.1", "02:00:00:00:00:01");
  const auto b2 = Endpoint(2, "tb2", "192.168.77.2", "02:00:00:00:00:02");
  const auto r1 = Endpoint(1, "tr1", "192.168.77.1", "02:00:00:00:00:01");
  Endpoint(2, "tr2", "192.168.77.2", "02:00:00:00:00:02");
  WaitStatus(1, "blue", Peers(1));
  WaitStatus(1, "red", Peers(1));
  EXPECT_TRUE(Ping(b1, "192.168.77.2"));
  EXPECT_TRUE(Ping(b2, "192.168.77.1"));
  EXPECT_TRUE(Ping(r1, "192.168.77.2"));
  // Without red's daemon on host 2, red's endpoint cannot reach 192.168.77.2 although blue has that address
  // (and MAC) on the same host.
  ::kill(red2, SIGKILL);
  std::this_thread::sleep_for(200ms);
  (void)RunShell("ip netns exec " + r1 + " ip neigh flush all");
  EXPECT_FALSE(Ping(r1, "192.168.77.2", 2));
  EXPECT_TRUE(Ping(b1, "192.168.77.2", 1));
  const json s = ReadStatus(2, "blue");
  EXPECT_EQ(s["counters"]["drop_wrong_network"], 0);
}

TEST_F(VswitchTest, ForgedForeignAndMalformedDatagramsAreDroppedAndCounted) {
  StartSwitch(1, "blue", 7100, "--tap tb1f");
  StartSwitch(2, "blue", 7100, "--tap tb2f --join " + Listen(1, 7100));
  WaitStatus(1, "blue", Peers(1));
  // Another network's daemon and a forger (right name, wrong key) try to join blue's daemon.
  StartSwitch(3, "red", 7100, "--join " + Listen(1, 7100));
  StartSwitch(3, "blue", 7101, "--join " + Listen(1, 7100), "other");
  // Garbage: empty-ish, truncated, a bad version, a random fragment, an oversized datagram.
  const std::string py =
      "import socket,os\n"
      "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
      "t=('" +
      Ip(1) +
      "',7100)\n"
      "for d in [b'x', os.urandom(30), bytes([9,1,0,0])+os.urandom(60), "
      "bytes([1,3,0,2,0,0,0,1])+os.urandom(100),"
      " bytes([1,3,5,2,0,0,0,1])+os.urandom(100), os.urandom(60000)]:\n"
      "  s.sendto(d,t)\n";
  std::ofstream(Dir() + "/garbage.py") << py;
  ASSERT_TRUE(hosts_->Exec(3, "python3 " + Dir() + "/garbage.py").ok());
  const json s = WaitStatus(1, "blue", [](const json& st) {
    const auto& c = st["counters"];
    return c["drop_wrong_network"] > 0 && c["drop_bad_auth"] > 0 && c["drop_truncated"] >= 2 &&
           c["drop_bad_version"] >= 1 && c["drop_bad_fragment"] >= 1;
  });
  EXPECT_EQ(s["peers"].size(), 1u) << s.dump();  // neither the foreign daemon nor the forger became members
  const auto e1 = Endpoint(1, "tb1f", "192.168.78.1", "02:00:00:00:01:01");
  Endpoint(2, "tb2f", "192.168.78.2", "02:00:00:00:01:02");
  EXPECT_TRUE(Ping(e1, "192.168.78.2"));  // the daemon is still fine
}

TEST_F(VswitchTest, MembershipJoinFailureRestartAndLeave) {
  StartSwitch(1, "blue", 7200, "--tap tb1m");
  StartSwitch(2, "blue", 7200, "--tap tb2m --join " + Listen(1, 7200));
  // Host 3 joins through host 2 (not the founder) and gets the whole member list.
  int p3 = StartSwitch(3, "blue", 7200, "--tap tb3m --join " + Listen(2, 7200));
  for (int h : {1, 2, 3}) WaitStatus(h, "blue", Peers(2));
  const auto e1 = Endpoint(1, "tb1m", "192.168.79.1", "02:00:00:00:02:01");
  Endpoint(2, "tb2m", "192.168.79.2", "02:00:00:00:02:02");
  Endpoint(3, "tb3m", "192.168.79.3", "02:00:00:00:02:03");
  EXPECT_TRUE(Ping(e1, "192.168.79.2"));
  EXPECT_TRUE(Ping(e1, "192.168.79.3"));
  // Host 3's daemon fails: the others notice within the failure timeout.
  ::kill(p3, SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  WaitStatus(1, "blue", Peers(1));
  WaitStatus(2, "blue", Peers(1));
  const auto detect =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  EXPECT_LT(detect.count(), 3000);
  std::cout << "failure detected after " << detect.count() << " ms (dead-after 700 ms)\n";
  // It restarts (new session, same address), rejoins, and its endpoint is reachable again.
  p3 = StartSwitch(3, "blue", 7200, "--tap tb3m2 --join " + Listen(2, 7200));
  const auto e3 = Endpoint(3, "tb3m2", "192.168.79.3", "02:00:00:00:02:03");
  for (int h : {1, 2, 3}) WaitStatus(h, "blue", Peers(2));
  EXPECT_TRUE(Ping(e3, "192.168.79.1"));
  // The founder restarts without --join: the others' heartbeats bring it back into the mesh.
  ::kill(pids_[0], SIGKILL);
  std::this_thread::sleep_for(300ms);
  StartSwitch(1, "blue", 7200, "--tap tb1m2");
  const auto e1b = Endpoint(1, "tb1m2", "192.168.79.1", "02:00:00:00:02:01");
  for (int h : {1, 2, 3}) WaitStatus(h, "blue", Peers(2));
  EXPECT_TRUE(Ping(e1b, "192.168.79.3"));
  // Host 2 leaves cleanly: removed at once (well before the failure timeout would fire).
  ::kill(pids_[1], SIGTERM);
  WaitStatus(1, "blue", Peers(1), 600ms);
  WaitStatus(3, "blue", Peers(1), 600ms);
}

// VM ports: what QEMU's socket netdev does (one frame per UDP datagram on 127.0.0.1) played by a small
// script. A broadcast from the "VM" on host 1 reaches the "VM" on host 2, whose unicast reply comes back;
// then the VM of host 1 "migrates" to host 2 (its MAC appears on host 2's second VM port) and host 1's table
// follows at once.
TEST_F(VswitchTest, VmPortsCarryFramesAndMacsMoveAfterMigration) {
  StartSwitch(1, "blue", 7300, "--udp-port 9001:9002 --udp-port 9003:9004");
  StartSwitch(2, "blue", 7300, "--udp-port 9001:9002 --udp-port 9003:9004 --join " + Listen(1, 7300));
  WaitStatus(1, "blue", Peers(1));
  const std::string vm =
      "import socket,sys\n"
      "mode,port,peer=sys.argv[1],int(sys.argv[2]),int(sys.argv[3])\n"
      "me=bytes.fromhex(sys.argv[4])\n"
      "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',port)); s.settimeout(5)\n"
      "def frame(dst): return dst+me+b'\\x88\\xb5'+b'tern-vm-port-test'+bytes(30)\n"
      "if mode=='send':\n"
      "  s.sendto(frame(b'\\xff'*6),('127.0.0.1',peer))\n"
      "  d,_=s.recvfrom(2000)\n"
      "  print('reply-to-me' if d[0:6]==me else 'wrong-dst')\n"
      "else:\n"
      "  d,_=s.recvfrom(2000)\n"
      "  s.sendto(frame(d[6:12]),('127.0.0.1',peer))\n"
      "  print('answered')\n";
  std::ofstream(Dir() + "/vm.py") << vm;
  const std::string answer_cmd =
      "python3 " + Dir() + "/vm.py answer 9002 9001 020000000302 > " + Dir() + "/vm-answer.out 2>&1 &";
  ASSERT_TRUE(hosts_->Exec(2, answer_cmd).ok());
  std::this_thread::sleep_for(300ms);
  auto out = hosts_->Exec(1, "python3 " + Dir() + "/vm.py send 9002 9001 020000000301");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NE(out->find("reply-to-me"), std::string::npos) << *out;
  // Migration: 02:00:00:00:03:01 announces itself from host 2's second VM port (QEMU sends RARP after
  // migrating).
  const std::string announce =
      "import socket\n"
      "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',9004))\n"
      "s.sendto(b'\\xff'*6+bytes.fromhex('020000000301')+b'\\x80\\x35'+bytes(46),('127.0.0.1',9003))\n";
  std::ofstream(Dir() + "/announce.py") << announce;
  ASSERT_TRUE(hosts_->Exec(2, "python3 " + Dir() + "/announce.py").ok());
  WaitStatus(1, "blue", [](const json& st) {
    for (const auto& m : st["macs"]) {
      if (m["mac"] == "02:00:00:00:03:01") return m["port"].get<std::string>().find("peer#") == 0;
    }
    return false;
  });
  WaitStatus(2, "blue", [](const json& st) {
    for (const auto& m : st["macs"]) {
      if (m["mac"] == "02:00:00:00:03:01") return m["port"].get<std::string>().find("local#1") == 0;
    }
    return false;
  });
}

}  // namespace
}  // namespace tern::testing
