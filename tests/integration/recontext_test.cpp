// End to end: live migration between simulated hosts through ternd, and the recontextualization of the
// arriving VM (its infrastructure layer swapped for the new host's), seen from the guest's serial console.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "ternd_cluster.h"

namespace tern::testing {
namespace {

constexpr auto kGuestReady = std::chrono::seconds(90);
constexpr auto kSwapSeen = std::chrono::seconds(30);

class RecontextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_INTEGRATION_PREREQS();
    auto c = TerndCluster::Start(2, {{{"site", "lab-a"}}, {{"site", "lab-b"}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    dir_ = cluster_->hosts().run_dir() + "/manifests";
    std::filesystem::create_directories(dir_);
  }

  // Deploys the test guest on host 1 (optionally with a small qcow2 disk) and waits until it has read its
  // context.
  void Deploy(const std::string& name, bool with_disk) {
    const std::string guest = TestGuestDir();
    std::string disks;
    if (with_disk) {
      const std::string disk = dir_ + "/" + name + ".qcow2";
      auto r = RunCommand("qemu-img create -q -f qcow2 " + ShellQuote(disk) + " 32M");
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      disks = "  disks:\n    - path: " + disk + "\n      format: qcow2\n";
    }
    const std::string path = dir_ + "/" + name + ".yaml";
    ASSERT_TRUE(WriteFileAtomic(path, "vm:\n  name: " + name + "\n  memory_mib: 160\n  boot:\n    kernel: " +
                                          guest + "/vmlinuz\n    initrd: " + guest +
                                          "/initrd.img\n    cmdline: \"console=ttyS0 panic=-1\"\n" + disks +
                                          "context:\n  service:\n    priority: 10\n    values: {app: shop}\n")
                    .ok());
    auto r = cluster_->Tern(1, "vm deploy " + ShellQuote(path));
    ASSERT_EQ(r->exit_code, 0) << r->err;
    auto log = WaitForFileContaining(cluster_->SerialLog(1, name), "TERN:READY", kGuestReady);
    ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  }

  // Both ternd logs, for failure messages.
  std::string Logs() {
    std::string out;
    for (int i = 1; i <= 2; ++i) {
      auto x = cluster_->hosts().Exec(
          i, "ls -la " + cluster_->ternd(i).data_dir +
                 "/vms/*; virsh -c qemu:///system "
                 "list --all; for d in $(virsh -c qemu:///system list --name); do virsh -c "
                 "qemu:///system dumpxml $d | grep -A3 '<serial'; done");
      out += "--- h" + std::to_string(i) + ":\n" + (x.ok() ? *x : x.status().ToString()) + "\n";
      auto l = ReadFile(cluster_->ternd(i).log);
      out += "--- ternd h" + std::to_string(i) + " log:\n" + (l.ok() ? *l : l.status().ToString()) + "\n";
    }
    return out;
  }

  std::unique_ptr<TerndCluster> cluster_;
  std::string dir_;
};

TEST_F(RecontextTest, MigrateThereAndBackSwapsTheInfrastructureLayerEachTime) {
  Deploy("web1", /*with_disk=*/true);

  auto r = cluster_->Tern(1, "vm migrate web1 --to h2");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out;
  EXPECT_NE(r->out.find("migrated web1 to h2: total"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("downtime"), std::string::npos) << r->out;

  // The guest now writes to h2's serial log; it sees h2's infrastructure layer as generation 2.
  auto log =
      WaitForFileContaining(cluster_->SerialLog(2, "web1"), "class=infrastructure generation=2", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  log = WaitForFileContaining(cluster_->SerialLog(2, "web1"), "path=context/values/site value=lab-b",
                              kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();

  auto show = cluster_->Tern(2, "vm show web1");
  ASSERT_EQ(show->exit_code, 0) << show->err;
  EXPECT_NE(show->out.find("host:h2"), std::string::npos) << show->out;
  EXPECT_NE(show->out.find("migration"), std::string::npos) << show->out;
  auto events = cluster_->Tern(2, "vm events web1");
  EXPECT_NE(events->out.find("recontext"), std::string::npos) << events->out;
  EXPECT_NE(events->out.find("(prebuilt)"), std::string::npos) << events->out;
  EXPECT_NE(events->out.find("lag"), std::string::npos) << events->out;
  auto gone = cluster_->Tern(1, "vm show web1");
  EXPECT_NE(gone->exit_code, 0);
  EXPECT_NE(gone->err.find("for h2"), std::string::npos) << gone->err;
  auto domains = cluster_->hosts().Exec(1, "virsh -c qemu:///system list --all --name");
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(domains->find("web1"), std::string::npos) << *domains;

  // And back: h1's layer again, generation 3.
  r = cluster_->Tern(2, "vm migrate web1 --to h1");
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out;
  log = WaitForFileContaining(cluster_->SerialLog(1, "web1"), "class=infrastructure generation=3", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  log = WaitForFileContaining(cluster_->SerialLog(1, "web1"), "path=context/values/site value=lab-a",
                              kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  show = cluster_->Tern(1, "vm show web1");
  EXPECT_NE(show->out.find("host:h1"), std::string::npos) << show->out;

  // On demand: a rebuild of the infrastructure layer is generation 4.
  r = cluster_->Tern(1, "vm recontext web1");
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_NE(r->out.find("infrastructure g4"), std::string::npos) << r->out;
  log = WaitForFileContaining(cluster_->SerialLog(1, "web1"), "class=infrastructure generation=4", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
}

TEST_F(RecontextTest, MigrationByPlainVirshIsRecontextualizedToo) {
  Deploy("web2", /*with_disk=*/false);
  // Someone else moves the VM (the simulated hosts share a file system, so its paths exist on h2).
  auto r = cluster_->hosts().Exec(
      1, "virsh -c qemu:///system migrate --live --p2p --persistent --undefinesource web2 " +
             cluster_->hosts().host(2).tcp_uri);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto log =
      WaitForFileContaining(cluster_->SerialLog(1, "web2"), "class=infrastructure generation=2", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  EXPECT_NE(log->find("value=lab-b"), std::string::npos) << *log;
  auto show = cluster_->Tern(2, "vm show web2");
  ASSERT_EQ(show->exit_code, 0) << show->err;
  EXPECT_NE(show->out.find("host:h2"), std::string::npos) << show->out;
  auto gone = cluster_->Tern(1, "vm show web2");
  EXPECT_NE(gone->err.find("left h1"), std::string::npos) << gone->err;
}

TEST_F(RecontextTest, ChangedHostConfigReloadedOnSighupRecontextualizesItsVms) {
  Deploy("web5", /*with_disk=*/false);
  const std::string config = cluster_->ternd(1).config;
  auto text = ReadFile(config);
  ASSERT_TRUE(text.ok());
  const size_t at = text->find("lab-a");
  ASSERT_NE(at, std::string::npos);
  std::string changed = *text;
  changed.replace(at, 5, "lab-z");
  ASSERT_TRUE(WriteFileAtomic(config, changed).ok());
  ASSERT_EQ(::kill(cluster_->ternd(1).pid, SIGHUP), 0);
  auto log =
      WaitForFileContaining(cluster_->SerialLog(1, "web5"), "class=infrastructure generation=2", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  EXPECT_NE(log->find("path=context/values/site value=lab-z"), std::string::npos) << *log;
  auto show = cluster_->Tern(1, "vm show web5");
  EXPECT_NE(show->out.find("config"), std::string::npos) << show->out;
}

TEST_F(RecontextTest, TerndDownWhileTheVmArrivesCatchesUpOnStart) {
  Deploy("web3", /*with_disk=*/false);
  ASSERT_TRUE(cluster_->KillTernd(2).ok());
  auto r = cluster_->hosts().Exec(
      1, "virsh -c qemu:///system migrate --live --p2p --persistent --undefinesource web3 " +
             cluster_->hosts().host(2).tcp_uri);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(cluster_->StartTernd(2).ok());
  auto log =
      WaitForFileContaining(cluster_->SerialLog(1, "web3"), "class=infrastructure generation=2", kSwapSeen);
  ASSERT_TRUE(log.ok()) << log.status().ToString() << Logs();
  auto show = cluster_->Tern(2, "vm show web3");
  ASSERT_EQ(show->exit_code, 0) << show->err;
  EXPECT_NE(show->out.find("reconcile"), std::string::npos) << show->out;
}

TEST_F(RecontextTest, RefusedAndFailedMigrationsChangeNothing) {
  Deploy("web4", /*with_disk=*/false);
  auto before = cluster_->Tern(1, "vm show web4");
  // Unknown host, unmanaged VM, and a destination that refuses (a domain of that name exists there).
  auto r = cluster_->Tern(1, "vm migrate web4 --to h9");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("'h9' is not a host of this site"), std::string::npos) << r->err;
  r = cluster_->Tern(1, "vm migrate nosuch --to h2");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("not managed by tern"), std::string::npos) << r->err;
  const std::string xml = cluster_->hosts().run_dir() + "/squatter.xml";
  ASSERT_TRUE(WriteFileAtomic(xml,
                              "<domain type='qemu'><name>web4</name><memory unit='MiB'>64</memory><os><type "
                              "arch='x86_64' machine='pc'>hvm</type></os></domain>")
                  .ok());
  ASSERT_TRUE(cluster_->hosts().Exec(2, "virsh -c qemu:///system define " + xml).ok());
  r = cluster_->Tern(1, "vm migrate web4 --to h2");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("already exists"), std::string::npos) << r->err;
  EXPECT_NE(r->err.find("keeps running on h1"), std::string::npos) << r->err;

  auto after = cluster_->Tern(1, "vm show web4");
  ASSERT_EQ(after->exit_code, 0) << after->err;
  EXPECT_NE(after->out.find("state:     running"), std::string::npos) << after->out;
  EXPECT_NE(after->out.find("host:h1"), std::string::npos) << after->out;
  EXPECT_EQ(after->out.find("migration"), std::string::npos) << after->out;
  auto log = ReadFile(cluster_->SerialLog(1, "web4"));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->find("TERN:MEDIA"), std::string::npos) << *log;
  auto list2 = cluster_->Tern(2, "vm list");
  EXPECT_EQ(list2->out.find("web4"), std::string::npos) << list2->out;
}

}  // namespace
}  // namespace tern::testing
