// End to end: two simulated hosts, each with a real ternd and a different infrastructure context; the `tern`
// CLI deploys the test guest, the guest prints both of its layers on the serial console, and destroy leaves
// nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "ternd_cluster.h"

namespace tern::testing {
namespace {

constexpr auto kGuestReady = std::chrono::seconds(90);

std::string WriteManifest(const std::string& dir, const std::string& name,
                          const std::string& extra_service = "") {
  const std::string guest = TestGuestDir();
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(dir + "/app.conf") << "listen=8080\n";
  std::ofstream(path)
      << "vm:\n  name: " << name << "\n  memory_mib: 192\n  vcpus: 1\n  boot:\n    kernel: " << guest
      << "/vmlinuz\n    initrd: " << guest << "/initrd.img\n    cmdline: \"console=ttyS0 panic=-1\"\n"
      << "context:\n  service:\n    priority: 10\n    values:\n      app: shop\n      greeting: hello\n"
      << extra_service << "    files:\n      - path: etc/app.conf\n        source: app.conf\n";
  return path;
}

class DeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_INTEGRATION_PREREQS();
    // The first test runs ternd's KVM probe for real (domain_type auto); the others skip its 20 s here.
    const bool probe = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) ==
                       "GuestReadsServiceAndInfrastructureLayersAndDestroyLeavesNothing";
    auto c =
        TerndCluster::Start(2, {{{"site", "lab-a"}, {"zone", "a1"}}, {{"site", "lab-b"}, {"zone", "b7"}}}, "",
                            probe ? "auto" : "qemu");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    dir_ = cluster_->hosts().run_dir() + "/manifests";
    std::filesystem::create_directories(dir_);
  }
  std::unique_ptr<TerndCluster> cluster_;
  std::string dir_;
};

TEST_F(DeployTest, GuestReadsServiceAndInfrastructureLayersAndDestroyLeavesNothing) {
  const std::string manifest = WriteManifest(dir_, "web1");
  auto r = cluster_->Tern(1, "vm deploy " + ShellQuote(manifest));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out;
  EXPECT_NE(r->out.find("deployed web1 on h1"), std::string::npos) << r->out;
  // The probe's decision and its reason are visible (kvm on a real KVM host, qemu/TCG on nested kvm-pvm).
  auto host = cluster_->Tern(1, "host show");
  ASSERT_TRUE(host.ok());
  EXPECT_NE(host->out.find(::access("/dev/kvm", R_OK | W_OK) == 0 ? "probe guest" : "/dev/kvm is absent"),
            std::string::npos)
      << host->out;

  auto log = WaitForFileContaining(cluster_->SerialLog(1, "web1"), "TERN:READY", kGuestReady);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  // The service layer: the NoCloud seed label, its metadata, key-values and files.
  EXPECT_NE(log->find("label=cidata"), std::string::npos) << *log;
  EXPECT_NE(log->find("\"class\":\"service\""), std::string::npos) << *log;
  EXPECT_NE(log->find("path=context/values/greeting value=hello"), std::string::npos) << *log;
  EXPECT_NE(log->find("path=context/etc/app.conf"), std::string::npos) << *log;
  EXPECT_NE(log->find("path=meta-data"), std::string::npos) << *log;
  // The infrastructure layer of host h1 (not h2's).
  EXPECT_NE(log->find("label=TERN_INFRASTRUCTURE"), std::string::npos) << *log;
  EXPECT_NE(log->find("\"origin\":\"host:h1\""), std::string::npos) << *log;
  EXPECT_NE(log->find("path=context/values/site value=lab-a"), std::string::npos) << *log;
  EXPECT_EQ(log->find("lab-b"), std::string::npos) << *log;

  auto show = cluster_->Tern(1, "vm show web1");
  ASSERT_TRUE(show.ok());
  ASSERT_EQ(show->exit_code, 0) << show->err;
  EXPECT_NE(show->out.find("state:     running"), std::string::npos) << show->out;
  EXPECT_NE(show->out.find("infrastructure"), std::string::npos) << show->out;
  auto list = cluster_->Tern(1, "vm list");
  EXPECT_NE(list->out.find("service@g1, infrastructure@g1"), std::string::npos) << list->out;

  // The same manifest on the other host gets that host's infrastructure layer.
  const std::string manifest2 = WriteManifest(dir_, "web2");
  r = cluster_->Tern(2, "vm deploy " + ShellQuote(manifest2));
  ASSERT_EQ(r->exit_code, 0) << r->err;
  auto log2 = WaitForFileContaining(cluster_->SerialLog(2, "web2"), "TERN:READY", kGuestReady);
  ASSERT_TRUE(log2.ok()) << log2.status().ToString();
  EXPECT_NE(log2->find("path=context/values/site value=lab-b"), std::string::npos) << *log2;

  // Deploying a name that exists is refused and changes nothing.
  r = cluster_->Tern(1, "vm deploy " + ShellQuote(manifest));
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("already exists"), std::string::npos) << r->err;

  // Destroy: no domain, no files, no records, no qemu left on the host.
  r = cluster_->Tern(1, "vm destroy web1");
  ASSERT_EQ(r->exit_code, 0) << r->err;
  auto domains = cluster_->hosts().Exec(1, "virsh -c qemu:///system list --all --name");
  ASSERT_TRUE(domains.ok()) << domains.status().ToString();
  EXPECT_EQ(domains->find("web1"), std::string::npos) << *domains;
  EXPECT_FALSE(std::filesystem::exists(cluster_->ternd(1).data_dir + "/vms/web1"));
  r = cluster_->Tern(1, "vm show web1");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("not managed by tern"), std::string::npos) << r->err;
  auto qemu = cluster_->hosts().Exec(1, "pgrep -af '[q]emu-system.*guest=web1' || true");
  ASSERT_TRUE(qemu.ok());
  EXPECT_TRUE(qemu->empty()) << *qemu;
}

TEST_F(DeployTest, BadManifestsAreRefusedBeforeAnythingIsCreated) {
  const std::string good = WriteManifest(dir_, "ok1");
  struct Case {
    std::string name, text, expect;
  };
  const std::string head = "vm:\n  name: x1\n  memory_mib: 128\ncontext:\n  service:\n";
  const std::vector<Case> cases = {
      {"unknown_key", head + "    priority: 10\n    prio: 3\n", "unknown key 'prio'"},
      {"wrong_type", "vm:\n  name: x1\n  memory_mib: lots\ncontext:\n  service:\n    priority: 10\n",
       "vm.memory_mib"},
      {"no_priority", head + "    values: {a: b}\n", "context.service.priority"},
      {"same_priority_as_host", head + "    priority: 20\n", "same priority 20"},
      {"missing_file", head + "    priority: 10\n    files:\n      - path: a\n        source: nope.conf\n",
       "nope.conf"},
      {"bad_name", "vm:\n  name: bad/name\n  memory_mib: 128\ncontext:\n  service:\n    priority: 10\n",
       "vm.name"},
  };
  for (const auto& c : cases) {
    const std::string path = dir_ + "/" + c.name + ".yaml";
    ASSERT_TRUE(WriteFileAtomic(path, c.text).ok());
    auto r = cluster_->Tern(1, "vm deploy " + ShellQuote(path));
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->exit_code, 0) << c.name;
    EXPECT_NE(r->err.find(c.expect), std::string::npos) << c.name << ": " << r->err;
    EXPECT_NE(r->err.find(c.name + ".yaml"), std::string::npos) << c.name << ": " << r->err;
  }
  auto domains = cluster_->hosts().Exec(1, "virsh -c qemu:///system list --all --name");
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(domains->find_first_not_of(" \n"), std::string::npos) << *domains;
  EXPECT_FALSE(std::filesystem::exists(cluster_->ternd(1).data_dir + "/vms/x1"));
  auto list = cluster_->Tern(1, "vm list");
  EXPECT_EQ(list->out.find("x1"), std::string::npos);
}

TEST_F(DeployTest, LibvirtFailureHalfwayLeavesNothingBehind) {
  // A disk that exists (so the manifest is valid) but is no qcow2 image: the context images get built and the
  // domain defined, then QEMU refuses to start it. The deploy must roll everything back.
  const std::string disk = dir_ + "/not-a-qcow2";
  ASSERT_TRUE(WriteFileAtomic(disk, std::string(4096, 'x')).ok());
  const std::string guest = TestGuestDir();
  const std::string path = dir_ + "/half.yaml";
  ASSERT_TRUE(WriteFileAtomic(path, "vm:\n  name: half1\n  memory_mib: 128\n  boot:\n    kernel: " + guest +
                                        "/vmlinuz\n  disks:\n    - path: " + disk +
                                        "\n      format: qcow2\n" +
                                        "context:\n  service:\n    priority: 10\n")
                  .ok());
  auto r = cluster_->Tern(1, "vm deploy " + ShellQuote(path));
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0) << r->out;
  EXPECT_NE(r->err.find("deploy half1"), std::string::npos) << r->err;
  auto domains = cluster_->hosts().Exec(1, "virsh -c qemu:///system list --all --name");
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(domains->find("half1"), std::string::npos) << *domains;
  EXPECT_FALSE(std::filesystem::exists(cluster_->ternd(1).data_dir + "/vms/half1"));
  auto list = cluster_->Tern(1, "vm list");
  EXPECT_EQ(list->out.find("half1"), std::string::npos) << list->out;
  // And the name is free again: a good deploy of it works.
  r = cluster_->Tern(1, "vm deploy " + ShellQuote(WriteManifest(dir_, "half1")));
  EXPECT_EQ(r->exit_code, 0) << r->err;
}

}  // namespace
}  // namespace tern::testing
