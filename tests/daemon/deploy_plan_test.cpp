#include "daemon/deploy_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "context/manifest.h"
#include "temp_dir.h"

namespace tern::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr const char* kUuid = "0b5e2a6c-1f3d-4c8e-9a7b-2d4f6e8a0c1e";

// The service class has the highest priority on purpose: it must still come first (the NoCloud seed).
constexpr const char* kManifest = R"(
vm:
  name: web1
  memory_mib: 384
  vcpus: 3
  boot:
    kernel: guest/vmlinuz
    initrd: guest/initrd.img
    cmdline: "console=ttyS0 quiet"
  disks:
    - path: disk.qcow2
  nics:
    - type: network
      network: default
      mac: "52:54:00:12:34:56"
context:
  service:
    priority: 50
    values: { app_port: "8080" }
    cloud_init:
      user_data: "#cloud-config\npackages: [nginx]\n"
  broker:
    priority: 30
    values: { region: eu }
)";

class DeployPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("guest/vmlinuz", "kernel");
    dir_.Write("guest/initrd.img", "initrd");
    dir_.Write("disk.qcow2", "qcow2");
    host_.host_name = "node-1";
    host_.domain_type = "kvm";
    host_.data_dir = "/srv/tern";
    host_.infrastructure.name = "infrastructure";
    host_.infrastructure.priority = 20;
    host_.infrastructure.values = {{"dc", "fra1"}};
  }

  context::Manifest Parse(const std::string& text) {
    Result<context::Manifest> m = context::ParseManifestText(text, source_, dir_.path());
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : context::Manifest{};
  }

  // kManifest with the vm's cdrom_bus and extra classes (priorities 60, 70, ...).
  std::string ManifestWith(const std::string& bus, int extra_classes, const std::string& name = "web1") {
    std::string text = "vm:\n  name: " + name + "\n  memory_mib: 256\n  cdrom_bus: " + bus +
                       "\ncontext:\n  service:\n    priority: 10\n";
    for (int i = 0; i < extra_classes; ++i) {
      text += "  extra" + std::to_string(i) + ":\n    priority: " + std::to_string(60 + 10 * i) + "\n";
    }
    return text;
  }

  TempDir dir_;
  std::string source_ = dir_.Path("web.yaml");
  HostFacts host_;
};

TEST_F(DeployPlanTest, LayersServiceFirstThenByPriority) {
  Result<DeployPlan> plan = PlanDeploy(Parse(kManifest), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->vm_dir, "/srv/tern/vms/web1");
  ASSERT_EQ(plan->layers.size(), 3u);

  const PlannedLayer& service = plan->layers[0];
  EXPECT_EQ(service.cls.name, "service");
  EXPECT_EQ(service.meta.class_name, "service");
  EXPECT_EQ(service.meta.priority, 50);
  EXPECT_EQ(service.meta.generation, 1u);
  EXPECT_EQ(service.meta.origin, "manifest:" + source_);
  EXPECT_TRUE(service.iso.cloud_init_seed);
  EXPECT_EQ(service.iso.instance_id, std::string("tern-") + kUuid);
  EXPECT_EQ(service.iso.hostname, "web1");
  EXPECT_EQ(service.iso.cloud_init.user_data, "#cloud-config\npackages: [nginx]\n");
  EXPECT_EQ(service.iso_path, "/srv/tern/vms/web1/service-g1.iso");
  EXPECT_EQ(service.target_dev, "sda");

  const PlannedLayer& infra = plan->layers[1];
  EXPECT_EQ(infra.cls.name, "infrastructure");
  EXPECT_EQ(infra.cls.values.at("dc"), "fra1");
  EXPECT_EQ(infra.meta.priority, 20);
  EXPECT_EQ(infra.meta.generation, 1u);
  EXPECT_EQ(infra.meta.origin, "host:node-1");
  EXPECT_FALSE(infra.iso.cloud_init_seed);
  EXPECT_EQ(infra.iso.instance_id, "");
  EXPECT_EQ(infra.iso_path, "/srv/tern/vms/web1/infrastructure-g1.iso");
  EXPECT_EQ(infra.target_dev, "sdb");

  const PlannedLayer& broker = plan->layers[2];
  EXPECT_EQ(broker.cls.name, "broker");
  EXPECT_EQ(broker.meta.priority, 30);
  EXPECT_EQ(broker.meta.generation, 1u);
  EXPECT_EQ(broker.meta.origin, "manifest:" + source_);
  EXPECT_FALSE(broker.iso.cloud_init_seed);
  EXPECT_EQ(broker.iso_path, "/srv/tern/vms/web1/broker-g1.iso");
  EXPECT_EQ(broker.target_dev, "sdc");

  // Every planned layer renders (what the deploy will write), so nothing fails after the plan.
  for (const auto& l : plan->layers) {
    auto tree = context::RenderLayerTree(l.cls, l.meta, l.iso);
    EXPECT_TRUE(tree.ok()) << l.cls.name << ": " << tree.status().ToString();
  }
}

TEST_F(DeployPlanTest, DomainSpec) {
  Result<DeployPlan> plan = PlanDeploy(Parse(kManifest), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const virt::DomainSpec& d = plan->domain;
  EXPECT_EQ(d.name, "web1");
  EXPECT_EQ(d.uuid, kUuid);
  EXPECT_EQ(d.domain_type, "kvm");
  EXPECT_EQ(d.machine, "pc");
  EXPECT_EQ(d.memory_mib, 384);
  EXPECT_EQ(d.vcpus, 3);
  EXPECT_EQ(d.kernel, dir_.Path("guest/vmlinuz"));
  EXPECT_EQ(d.initrd, dir_.Path("guest/initrd.img"));
  EXPECT_EQ(d.cmdline, "console=ttyS0 quiet");
  ASSERT_EQ(d.disks.size(), 1u);
  EXPECT_EQ(d.disks[0].path, dir_.Path("disk.qcow2"));
  EXPECT_EQ(d.disks[0].format, "qcow2");
  EXPECT_EQ(d.disks[0].bus, "virtio");
  EXPECT_EQ(d.disks[0].target_dev, "vda");
  ASSERT_EQ(d.nics.size(), 1u);
  EXPECT_EQ(d.nics[0].type, "network");
  EXPECT_EQ(d.nics[0].network, "default");
  EXPECT_EQ(d.nics[0].mac, "52:54:00:12:34:56");
  EXPECT_EQ(d.nics[0].model, "virtio");
  EXPECT_EQ(d.serial_log, "/srv/tern/vms/web1/serial.log");
  EXPECT_EQ(d.metadata.at("managed"), "1");
  EXPECT_EQ(d.metadata.at("host"), "node-1");
  EXPECT_EQ(d.metadata.at("manifest"), source_);
  ASSERT_EQ(d.cdroms.size(), 3u);
  for (size_t i = 0; i < d.cdroms.size(); ++i) {
    EXPECT_EQ(d.cdroms[i].target_dev, plan->layers[i].target_dev);
    EXPECT_EQ(d.cdroms[i].bus, "scsi");
    EXPECT_EQ(d.cdroms[i].source, plan->layers[i].iso_path);
  }
  EXPECT_TRUE(virt::ValidateDomainSpec(d).ok());
}

TEST_F(DeployPlanTest, DomainTypeComesFromTheHost) {
  host_.domain_type = "qemu";
  Result<DeployPlan> plan = PlanDeploy(Parse(kManifest), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->domain.domain_type, "qemu");
}

TEST_F(DeployPlanTest, NoBootMeansNoKernel) {
  Result<DeployPlan> plan = PlanDeploy(Parse(ManifestWith("scsi", 0)), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->domain.kernel, "");
  EXPECT_EQ(plan->domain.initrd, "");
  EXPECT_EQ(plan->domain.cmdline, "");
  EXPECT_EQ(plan->domain.vcpus, 1);
  ASSERT_EQ(plan->layers.size(), 2u);
  EXPECT_EQ(plan->layers[0].cls.name, "service");
  EXPECT_EQ(plan->layers[1].cls.name, "infrastructure");
}

TEST_F(DeployPlanTest, IdeCdroms) {
  Result<DeployPlan> plan = PlanDeploy(Parse(ManifestWith("ide", 2)), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->domain.cdroms.size(), 4u);
  std::vector<std::string> targets;
  for (const auto& c : plan->domain.cdroms) {
    EXPECT_EQ(c.bus, "ide");
    targets.push_back(c.target_dev);
  }
  EXPECT_THAT(targets, ElementsAre("hda", "hdb", "hdc", "hdd"));
  EXPECT_EQ(plan->layers[0].cls.name, "service");
  EXPECT_EQ(plan->layers[0].target_dev, "hda");
  EXPECT_EQ(plan->layers[1].cls.name, "infrastructure");
  EXPECT_EQ(plan->layers[1].target_dev, "hdb");
}

TEST_F(DeployPlanTest, MoreThanFourClassesOnIdeAreRefused) {
  Result<DeployPlan> plan = PlanDeploy(Parse(ManifestWith("ide", 3)), host_, kUuid);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr("vm 'web1'"));
  EXPECT_THAT(plan.status().message(), HasSubstr("5 context classes do not fit the 4 IDE slots"));
  // The same classes fit on SCSI.
  Result<DeployPlan> scsi = PlanDeploy(Parse(ManifestWith("scsi", 3)), host_, kUuid);
  ASSERT_TRUE(scsi.ok()) << scsi.status().ToString();
  EXPECT_EQ(scsi->layers.back().target_dev, "sde");
}

TEST_F(DeployPlanTest, InfrastructurePriorityClashIsRefused) {
  host_.infrastructure.priority = 30;  // the broker's
  Result<DeployPlan> plan = PlanDeploy(Parse(kManifest), host_, kUuid);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr(source_));
  EXPECT_THAT(plan.status().message(), HasSubstr("'broker'"));
  EXPECT_THAT(plan.status().message(), HasSubstr("'infrastructure'"));
  EXPECT_THAT(plan.status().message(), HasSubstr("same priority 30"));

  host_.infrastructure.priority = 50;  // the service's
  Result<DeployPlan> plan2 = PlanDeploy(Parse(kManifest), host_, kUuid);
  ASSERT_FALSE(plan2.ok());
  EXPECT_THAT(plan2.status().message(), HasSubstr("'service'"));
  EXPECT_THAT(plan2.status().message(), HasSubstr("'infrastructure'"));
}

TEST_F(DeployPlanTest, DiskSharingTheCdromBusIsRefused) {
  dir_.Write("data.img", "raw");
  std::string text = kManifest;
  const std::string disk = "    - path: disk.qcow2";
  text.replace(text.find(disk), disk.size(),
               "    - path: data.img\n      bus: scsi");  // CD-ROMs are scsi too
  Result<DeployPlan> plan = PlanDeploy(Parse(text), host_, kUuid);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr("would share device names with the context CD-ROMs"));
}

// A VM name may contain '_' (docs/manifest.md), a hostname may not: the plan must still give a service layer
// that renders, or the deploy fails after it started creating things.
TEST_F(DeployPlanTest, VmNameWithUnderscoreGivesARenderableServiceLayer) {
  Result<DeployPlan> plan = PlanDeploy(Parse(ManifestWith("scsi", 0, "web_1")), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const PlannedLayer& service = plan->layers[0];
  ASSERT_EQ(service.cls.name, "service");
  auto tree = context::RenderLayerTree(service.cls, service.meta, service.iso);
  EXPECT_TRUE(tree.ok()) << tree.status().ToString();
}

TEST(CdromTargetsTest, Scsi) {
  auto t = CdromTargets("scsi", 3, "web1");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(*t, ElementsAre("sda", "sdb", "sdc"));
  auto none = CdromTargets("scsi", 0, "web1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto all = CdromTargets("scsi", 26, "web1");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->back(), "sdz");
  auto too_many = CdromTargets("scsi", 27, "web1");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), HasSubstr("vm 'web1'"));
}

TEST(CdromTargetsTest, Ide) {
  auto t = CdromTargets("ide", 4, "web1");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(*t, ElementsAre("hda", "hdb", "hdc", "hdd"));
  auto five = CdromTargets("ide", 5, "web1");
  ASSERT_FALSE(five.ok());
  EXPECT_EQ(five.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(five.status().message(), HasSubstr("vm 'web1': 5 context classes do not fit the 4 IDE slots"));
}

TEST(CdromTargetsTest, UnknownBus) {
  auto t = CdromTargets("usb", 1, "web1");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("unknown CD-ROM bus 'usb'"));
}

TEST(LayerIsoPathTest, NamesClassAndGeneration) {
  EXPECT_EQ(LayerIsoPath("/srv/tern/vms/web1", "service", 1), "/srv/tern/vms/web1/service-g1.iso");
  EXPECT_EQ(LayerIsoPath("/d/vms/a", "infrastructure", 12), "/d/vms/a/infrastructure-g12.iso");
}

}  // namespace
}  // namespace tern::daemon

namespace tern::daemon {
namespace {

TEST_F(DeployPlanTest, TernNicsBecomeUdpNicsOnTheirAllocatedPorts) {
  const std::string text =
      "vm:\n  name: web1\n  memory_mib: 256\n  nics:\n    - type: user\n    - type: tern\n      network: "
      "blue\n"
      "    - type: tern\n      network: red\n      mac: \"52:54:00:00:00:07\"\ncontext:\n  service:\n    "
      "priority: "
      "10\n";
  // Without ports (the NetworkManager allocates them first) the plan is refused.
  EXPECT_EQ(PlanDeploy(Parse(text), host_, kUuid).status().code(), StatusCode::kInternal);
  host_.tern_nics = {{42000, 42001, TernNicMac(kUuid, 1)}, {42002, 42003, "52:54:00:00:00:07"}};
  Result<DeployPlan> plan = PlanDeploy(Parse(text), host_, kUuid);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const auto& nics = plan->domain.nics;
  ASSERT_EQ(nics.size(), 3u);
  EXPECT_EQ(nics[0].type, "user");
  EXPECT_EQ(nics[1].type, "udp");
  EXPECT_EQ(nics[1].remote_port, 42000);  // where QEMU sends: the switch
  EXPECT_EQ(nics[1].local_port, 42001);   // where QEMU listens
  EXPECT_EQ(nics[1].remote_address, "127.0.0.1");
  EXPECT_EQ(nics[1].mac, TernNicMac(kUuid, 1));
  EXPECT_EQ(nics[2].mac, "52:54:00:00:00:07");
  EXPECT_EQ(nics[2].remote_port, 42002);
}

TEST(TernNicMacTest, IsAStableUnicastQemuMacPerVmAndNic) {
  const std::string a = TernNicMac(kUuid, 0);
  EXPECT_EQ(a, TernNicMac(kUuid, 0));
  EXPECT_NE(a, TernNicMac(kUuid, 1));
  EXPECT_NE(a, TernNicMac("another-uuid", 0));
  EXPECT_EQ(a.rfind("52:54:00:", 0), 0u);
  EXPECT_EQ(a.size(), 17u);
}

}  // namespace
}  // namespace tern::daemon
