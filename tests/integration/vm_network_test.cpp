// End to end: tern networks through ternd (`tern net create|show|attach`) with real test guests (QEMU TCG) on
// simulated hosts. Two guests on different hosts ping each other over a tern network; one migrates live and
// the pings go on after a measured gap; a guest on another network with the same IP and MAC never gets an
// answer; a VM deployed without a NIC is attached with a restart. One cluster and one set of guests serve all
// cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "core/files.h"
#include "ternd_cluster.h"

namespace tern::testing {
namespace {

constexpr auto kGuestReady = std::chrono::seconds(120);
constexpr auto kPingsFlow = std::chrono::seconds(60);

struct PingReply {
  int seq = 0;
  double clock = 0;  // the pinging guest's uptime, s
  bool dup = false;
};

// The TERN:PING markers of a serial log, in order.
std::vector<PingReply> PingReplies(const std::string& log) {
  static const std::regex re(R"(TERN:PING to=\S+ seq=(\d+) rtt_ms=\S+ clock=([0-9.]+)( dup=1)?)");
  std::vector<PingReply> out;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back({std::stoi((*it)[1]), std::stod((*it)[2]), (*it)[3].matched});
  }
  return out;
}

class VmNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!IntegrationUnavailableReason().empty() || !FileExists(BuiltProgram("tern-switch"))) return;
    auto c = TerndCluster::Start(2, {{{"site", "lab-a"}}, {{"site", "lab-b"}}});
    if (!c.ok()) {
      setup_error_ = c.status().ToString();
      return;
    }
    cluster_ = std::move(c).value();
    dir_ = cluster_->hosts().run_dir() + "/manifests";
    std::filesystem::create_directories(dir_);
    for (const auto& [net, host] : {std::pair{"blue", 1}, std::pair{"red", 2}}) {
      auto r = cluster_->Tern(host, std::string("net create ") + net);
      if (!r.ok() || r->exit_code != 0) {
        setup_error_ = std::string("net create ") + net + ": " +
                       (r.ok() ? r->err + r->out : r.status().ToString()) + Logs();
        return;
      }
    }
    // vma on h1 and vmb on h2 ping each other over blue from boot on; vmc on h2 is on red with vmb's IP (and,
    // below, its MAC) and pings vma's IP, which nobody on red has; vmd on h1 has no NIC yet. The guests boot
    // in parallel.
    const std::vector<std::tuple<std::string, int, std::string, std::string, std::string>> vms{
        {"vma", 1, "blue", "10.77.0.1", "10.77.0.2"},
        {"vmb", 2, "blue", "10.77.0.2", "10.77.0.1"},
        {"vmc", 2, "red", "10.77.0.2", "10.77.0.1"},
        {"vmd", 1, "", "10.77.0.4", "10.77.0.2"}};
    for (const auto& [name, host, network, ip, peer] : vms) {
      std::string mac;
      if (name == "vmc") {
        auto show = cluster_->Tern(2, "net show blue");
        std::smatch m;
        if (!show.ok() || !std::regex_search(show->out, m, std::regex(R"(vmb\s+(\S+))"))) {
          setup_error_ = "vmb's MAC is not in `net show blue`";
          return;
        }
        mac = m[1];
        vmb_mac_ = mac;
      }
      if (std::string e = StartDeploy(name, host, network, mac, ip, peer); !e.empty()) {
        setup_error_ = e;
        return;
      }
    }
    for (const auto& [name, host, network, ip, peer] : vms) {
      auto log = WaitForFileContaining(cluster_->SerialLog(host, name), "TERN:READY", kGuestReady);
      if (!log.ok()) {
        setup_error_ = log.status().ToString() + Logs();
        return;
      }
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    TERN_REQUIRE_INTEGRATION_PREREQS();
    if (!FileExists(BuiltProgram("tern-switch"))) {
      if (IntegrationRequired()) FAIL() << "prerequisite missing: " << BuiltProgram("tern-switch");
      GTEST_SKIP() << BuiltProgram("tern-switch") << " is not built";
    }
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    ASSERT_NE(cluster_, nullptr);
  }

  // Deploys the test guest on `host` with a NIC on `network` (none when empty) and the IP; returns once
  // ternd started it. Returns an error message, or "".
  static std::string StartDeploy(const std::string& name, int host, const std::string& network,
                                 const std::string& mac, const std::string& ip, const std::string& ping) {
    const std::string guest = TestGuestDir();
    std::string nics;
    if (!network.empty()) {
      nics = "  nics:\n    - type: tern\n      network: " + network + "\n";
      if (!mac.empty()) nics += "      mac: \"" + mac + "\"\n";
    }
    const std::string path = dir_ + "/" + name + ".yaml";
    const std::string manifest =
        "vm:\n  name: " + name + "\n  memory_mib: 128\n  boot:\n    kernel: " + guest +
        "/vmlinuz\n    initrd: " + guest +
        "/initrd.img\n    cmdline: \"console=ttyS0 panic=-1 tern.mtu=1414 tern.ip=" + ip +
        "/24 tern.ping=" + ping + "\"\n" + nics +
        "context:\n  service:\n    priority: 10\n    values: {app: net}\n";
    if (Status s = WriteFileAtomic(path, manifest); !s.ok()) return s.ToString();
    auto r = cluster_->Tern(host, "vm deploy " + ShellQuote(path));
    if (!r.ok()) return r.status().ToString();
    if (r->exit_code != 0) return "deploy " + name + ": " + r->err + Logs();
    return "";
  }

  // Waits until the guest's serial log on `host` holds at least `count` ping replies; returns them.
  static Result<std::vector<PingReply>> WaitForReplies(int host, const std::string& vm, size_t count,
                                                       std::chrono::seconds timeout = kPingsFlow) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<PingReply> replies;
    while (true) {
      auto log = ReadFile(cluster_->SerialLog(host, vm));
      if (log.ok()) replies = PingReplies(*log);
      if (replies.size() >= count) return replies;
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Unavailable(
            vm + " on h" + std::to_string(host) + " has " + std::to_string(replies.size()) +
            " ping replies, expected " + std::to_string(count) + "; its log:\n" +
            (log.ok() ? log->substr(log->size() > 3000 ? log->size() - 3000 : 0) : "") + Logs());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  static std::string Logs() {
    std::string out;
    for (int i = 1; i <= 2; ++i) {
      auto l = ReadFile(cluster_->ternd(i).log);
      out += "\n--- ternd h" + std::to_string(i) + " log (tail):\n" +
             (l.ok() ? l->substr(l->size() > 4000 ? l->size() - 4000 : 0) : l.status().ToString());
      auto n = RunShell("tail -n 30 " + cluster_->ternd(i).data_dir + "/networks/*.log");
      if (n.ok()) out += "\n--- switch logs h" + std::to_string(i) + ":\n" + n->out;
    }
    return out;
  }

  static std::unique_ptr<TerndCluster> cluster_;
  static std::string dir_;
  static std::string setup_error_;
  static std::string vmb_mac_;
};

std::unique_ptr<TerndCluster> VmNetworkTest::cluster_;
std::string VmNetworkTest::dir_;
std::string VmNetworkTest::setup_error_;
std::string VmNetworkTest::vmb_mac_;

TEST_F(VmNetworkTest, GuestsOnTwoHostsPingEachOtherAndTheNetworkShowsBothMembers) {
  auto a = WaitForReplies(1, "vma", 5);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = WaitForReplies(2, "vmb", 5);
  ASSERT_TRUE(b.ok()) << b.status().ToString();

  for (int host : {1, 2}) {
    auto show = cluster_->Tern(host, "net show blue");
    ASSERT_EQ(show->exit_code, 0) << show->err;
    EXPECT_NE(show->out.find("switch:    running"), std::string::npos) << show->out;
    EXPECT_NE(show->out.find("members:   2"), std::string::npos) << show->out;
    EXPECT_NE(show->out.find(host == 1 ? "h2 " : "h1 "), std::string::npos) << show->out;
    EXPECT_NE(show->out.find(host == 1 ? "vma" : "vmb"), std::string::npos) << show->out;
    EXPECT_NE(show->out.find(" open"), std::string::npos) << show->out;
    EXPECT_EQ(show->out.find("key"), std::string::npos) << show->out;
  }
  auto list = cluster_->Tern(2, "net list");
  EXPECT_NE(list->out.find("blue"), std::string::npos) << list->out;
  // The key is in the state database and a 0600 key file, never in a log.
  auto mode = RunShell("stat -c %a " + cluster_->ternd(2).data_dir + "/networks/blue.key " +
                       cluster_->ternd(2).data_dir + "/state.db");
  EXPECT_EQ(mode->out, "600\n600\n");
  auto key = ReadFile(cluster_->ternd(2).data_dir + "/networks/blue.key");
  ASSERT_TRUE(key.ok());
  auto grep = RunShell("grep -rl " + ShellQuote(key->substr(0, 64)) + " " + cluster_->ternd(1).log + " " +
                       cluster_->ternd(2).log + " " + cluster_->ternd(1).data_dir + "/networks/blue.log " +
                       cluster_->ternd(2).data_dir + "/networks/blue.log");
  EXPECT_EQ(grep->out, "");

  // A bad name and an existing one are refused.
  auto bad = cluster_->Tern(1, "net create 'no/slash'");
  EXPECT_NE(bad->exit_code, 0);
  EXPECT_NE(bad->err.find("not a valid network name"), std::string::npos) << bad->err;
  auto again = cluster_->Tern(2, "net create blue");
  EXPECT_NE(again->exit_code, 0);
  EXPECT_NE(again->err.find("already exists"), std::string::npos) << again->err;
}

TEST_F(VmNetworkTest, NetworkWithTheSameIpAndMacSpaceNeverSeesTheOthersFrames) {
  // red: vmc on h2 with vmb's IP and vmb's MAC, pinging vma's IP, which nobody on red has.
  auto show_c = cluster_->Tern(2, "net show red");
  EXPECT_NE(show_c->out.find("vmc                 " + vmb_mac_), std::string::npos) << show_c->out;
  auto before = WaitForReplies(1, "vma", 1);
  ASSERT_TRUE(before.ok());
  // vma keeps getting replies from vmb while vmc pings for a while.
  auto after = WaitForReplies(1, "vma", before->size() + 15);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  auto c_log = ReadFile(cluster_->SerialLog(2, "vmc"));
  ASSERT_TRUE(c_log.ok());
  EXPECT_NE(c_log->find("TERN:PINGING to=10.77.0.1"), std::string::npos) << *c_log;
  EXPECT_TRUE(PingReplies(*c_log).empty()) << *c_log;
  for (const auto& reply : *after) EXPECT_FALSE(reply.dup) << "duplicate reply to vma, seq " << reply.seq;
  auto show_red = cluster_->Tern(1, "net show red");
  ASSERT_EQ(show_red->exit_code, 0) << show_red->err;
  EXPECT_NE(show_red->out.find("vm ports:  0"), std::string::npos) << show_red->out;
  std::cout << "red on h1 (no VM ports; vmc's broadcasts arrive from h2):\n" << show_red->out;
}

TEST_F(VmNetworkTest, SwitchesOutliveTerndAndAreRestartedWhenTheyDie) {
  auto pid_of = [](const std::string& show) {
    std::smatch m;
    return std::regex_search(show, m, std::regex(R"(running \(pid (\d+)\))")) ? std::stoi(m[1]) : 0;
  };
  const int pid = pid_of(cluster_->Tern(1, "net show blue")->out);
  ASSERT_GT(pid, 0);
  // ternd dies: its switch daemons keep forwarding, and the restarted ternd adopts them.
  ASSERT_TRUE(cluster_->KillTernd(1).ok());
  auto before = WaitForReplies(1, "vma", 1);
  ASSERT_TRUE(before.ok());
  auto during = WaitForReplies(1, "vma", before->size() + 5);
  EXPECT_TRUE(during.ok()) << during.status().ToString();
  ASSERT_TRUE(cluster_->StartTernd(1).ok());
  auto show = cluster_->Tern(1, "net show blue");
  EXPECT_EQ(pid_of(show->out), pid) << show->out;
  auto log = ReadFile(cluster_->ternd(1).log);
  EXPECT_NE(log->find("adopted its running switch daemon (pid " + std::to_string(pid) + ")"),
            std::string::npos);

  // A switch daemon that dies is restarted (and rejoins the mesh); the pings resume.
  const int pid2 = pid_of(cluster_->Tern(2, "net show blue")->out);
  ASSERT_GT(pid2, 0);
  ASSERT_TRUE(cluster_->hosts().Exec(2, "kill -9 " + std::to_string(pid2)).ok());
  int restarted = 0;
  for (int i = 0; i < 100 && (restarted == 0 || restarted == pid2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    restarted = pid_of(cluster_->Tern(2, "net show blue")->out);
  }
  EXPECT_NE(restarted, 0);
  EXPECT_NE(restarted, pid2);
  auto n = WaitForReplies(1, "vma", 1);
  ASSERT_TRUE(n.ok());
  auto resumed = WaitForReplies(1, "vma", n->size() + 5);
  EXPECT_TRUE(resumed.ok()) << resumed.status().ToString();
  auto members = cluster_->Tern(2, "net show blue");
  EXPECT_NE(members->out.find("members:   2"), std::string::npos) << members->out;
}

TEST_F(VmNetworkTest, LiveMigrationKeepsTheGuestOnItsNetworkWithAMeasuredGap) {
  auto before = WaitForReplies(1, "vma", 5);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const size_t n0 = before->size();

  auto r = cluster_->Tern(2, "vm migrate vmb --to h1");
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out << Logs();
  std::cout << r->out;
  // Replies resume: vma (which did not move) gets at least 10 more, and vmb pings from h1.
  auto after = WaitForReplies(1, "vma", n0 + 10);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  auto b_after = WaitForReplies(1, "vmb", 5);
  ASSERT_TRUE(b_after.ok()) << b_after.status().ToString();

  // The gap seen by vma: the longest pause between two replies from the last one before the migration on.
  double gap_s = 0;
  int lost = 0;
  for (size_t i = n0; i < after->size(); ++i) {
    const double d = (*after)[i].clock - (*after)[i - 1].clock;
    if (d > gap_s) {
      gap_s = d;
      lost = (*after)[i].seq - (*after)[i - 1].seq - 1;
    }
  }
  std::cout << "ping vma -> vmb across the live migration of vmb (h2 -> h1): longest gap " << gap_s * 1000
            << " ms, " << lost << " of the 200 ms pings unanswered\n";
  RecordProperty("migration_ping_gap_ms", static_cast<int>(gap_s * 1000));

  // The source closed vmb's port, the destination serves it; blue has both VMs on h1 now.
  auto show1 = cluster_->Tern(1, "net show blue");
  EXPECT_NE(show1->out.find("vm ports:  2"), std::string::npos) << show1->out;
  auto show2 = cluster_->Tern(2, "net show blue");
  EXPECT_NE(show2->out.find("vm ports:  0"), std::string::npos) << show2->out;

  // And back to h2: the path between the hosts again.
  const size_t n1 = after->size();
  r = cluster_->Tern(1, "vm migrate vmb --to h2");
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out << Logs();
  auto back = WaitForReplies(1, "vma", n1 + 10);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  double gap2 = 0;
  for (size_t i = n1; i < back->size(); ++i) gap2 = std::max(gap2, (*back)[i].clock - (*back)[i - 1].clock);
  std::cout << "ping vma -> vmb across the live migration of vmb (h1 -> h2): longest gap " << gap2 * 1000
            << " ms\n";
}

TEST_F(VmNetworkTest, RefusedMigrationLeavesThePortAtTheSource) {
  // h1 has a domain named vmb already: the destination refuses, vmb keeps running on h2, on its port.
  const std::string xml = cluster_->hosts().run_dir() + "/squatter.xml";
  ASSERT_TRUE(WriteFileAtomic(xml,
                              "<domain type='qemu'><name>vmb</name><memory unit='MiB'>64</memory><os><type "
                              "arch='x86_64' machine='pc'>hvm</type></os></domain>")
                  .ok());
  ASSERT_TRUE(cluster_->hosts().Exec(1, "virsh -c qemu:///system define " + xml).ok());
  auto r = cluster_->Tern(2, "vm migrate vmb --to h1");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("keeps running on h2"), std::string::npos) << r->err;
  ASSERT_TRUE(cluster_->hosts().Exec(1, "virsh -c qemu:///system undefine vmb").ok());
  auto show2 = cluster_->Tern(2, "net show blue");
  EXPECT_NE(show2->out.find("vmb"), std::string::npos) << show2->out;
  auto show1 = cluster_->Tern(1, "net show blue");
  EXPECT_EQ(show1->out.find("vmb"), std::string::npos) << show1->out;
  auto before = WaitForReplies(1, "vma", 1);
  ASSERT_TRUE(before.ok());
  auto after = WaitForReplies(1, "vma", before->size() + 5);
  EXPECT_TRUE(after.ok()) << after.status().ToString();
}

TEST_F(VmNetworkTest, AttachGivesAVmDeployedWithoutANicItsPortAfterARestart) {
  auto r = cluster_->Tern(1, "net attach blue vmd");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("cannot hot-plug"), std::string::npos) << r->err;
  r = cluster_->Tern(1, "net attach blue nosuch");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("not managed by tern"), std::string::npos) << r->err;
  r = cluster_->Tern(1, "net attach blue vmd --restart");
  ASSERT_EQ(r->exit_code, 0) << r->err << Logs();
  EXPECT_NE(r->out.find("restarted"), std::string::npos) << r->out;
  auto replies = WaitForReplies(1, "vmd", 3);
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  auto show = cluster_->Tern(1, "net show blue");
  EXPECT_NE(show->out.find("vmd"), std::string::npos) << show->out;

  // A network with VMs on it cannot be deleted; destroying the VM closes its port.
  auto del = cluster_->Tern(1, "net delete blue");
  EXPECT_NE(del->exit_code, 0);
  EXPECT_NE(del->err.find("still has VMs attached"), std::string::npos) << del->err;
  ASSERT_EQ(cluster_->Tern(1, "vm destroy vmd")->exit_code, 0);
  show = cluster_->Tern(1, "net show blue");
  EXPECT_EQ(show->out.find("vmd"), std::string::npos) << show->out;
}

}  // namespace
}  // namespace tern::testing
