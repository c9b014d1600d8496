#include "daemon/host_vm_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "context/iso_reader.h"
#include "context/layer_metadata.h"
#include "core/files.h"
#include "fake_hypervisor.h"
#include "temp_dir.h"

namespace tern::daemon {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using testing::FakeHypervisor;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;
namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'000'000'000;

// service (priority 50) comes first; infrastructure (the host's, 20) and broker (30) follow by priority.
std::string ManifestText(const std::string& name, const std::string& extra_service = "") {
  return "vm:\n  name: " + name +
         "\n  memory_mib: 128\n  vcpus: 2\n  boot:\n    kernel: guest/vmlinuz\n    cmdline: console=ttyS0\n"
         "context:\n  service:\n    priority: 50\n    values: { app: web }\n" +
         extra_service +
         "    cloud_init:\n      user_data: \"#cloud-config\\n{}\\n\"\n"
         "  broker:\n    priority: 30\n    values: { region: eu }\n";
}

class HostVmServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("manifests/guest/vmlinuz", "kernel");
    config_.source = dir_.Path("ternd.yaml");
    config_.host_name = "node-1";
    config_.data_dir = dir_.Path("data");
    config_.infrastructure.name = "infrastructure";
    config_.infrastructure.priority = 20;
    config_.infrastructure.values = {{"dc", "fra1"}};
    auto s = store::StateStore::Open(dir_.Path("state.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    service_ = std::make_unique<HostVmService>(config_, hv_, *store_, "qemu", "no /dev/kvm (test)",
                                               [this] { return now_; });
    hv_.SetEventHandler([this](const virt::DomainEvent& e) { service_->OnDomainEvent(e); });
  }
  void TearDown() override {
    hv_.SetEventHandler({});
    service_.reset();
    store_.reset();
  }

  api::DeployRequest Request(const std::string& name = "web1") {
    return {ManifestText(name), dir_.Path("manifests/" + name + ".yaml"), dir_.Path("manifests")};
  }
  std::string VmDir(const std::string& name = "web1") { return config_.data_dir + "/vms/" + name; }
  // Regular files in the VM's directory.
  std::set<std::string> VmFiles(const std::string& name = "web1") {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(VmDir(name), ec)) out.insert(e.path().filename().string());
    return out;
  }
  context::IsoContents ReadIsoFile(const std::string& path) {
    auto bytes = ReadFile(path);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    if (!bytes.ok()) return {};
    auto iso = context::ReadIso(*bytes);
    EXPECT_TRUE(iso.ok()) << iso.status().ToString();
    return iso.ok() ? *iso : context::IsoContents{};
  }
  std::string StoredState(const std::string& name = "web1") {
    auto vm = store_->GetVm(name);
    return vm.ok() ? vm->state : "(not stored: " + vm.status().message() + ")";
  }
  api::VmView MustDeploy(const std::string& name = "web1") {
    auto v = service_->Deploy(Request(name));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : api::VmView{};
  }
  // Nothing of the VM exists: no directory, no domain, no record.
  void ExpectNothingOf(const std::string& name) {
    EXPECT_FALSE(fs::exists(VmDir(name))) << VmDir(name);
    EXPECT_FALSE(hv_.Has(name));
    EXPECT_EQ(store_->GetVm(name).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(service_->Show(name).status().code(), StatusCode::kNotFound);
    auto layers = store_->ListLayers(name);
    ASSERT_TRUE(layers.ok());
    EXPECT_TRUE(layers->empty());
  }

  TempDir dir_;
  DaemonConfig config_;
  FakeHypervisor hv_;
  std::unique_ptr<store::StateStore> store_;
  int64_t now_ = kT0;
  std::unique_ptr<HostVmService> service_;
};

TEST_F(HostVmServiceTest, Host) {
  auto h = service_->Host();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->name, "node-1");
  EXPECT_EQ(h->hostname, "fake-node");
  EXPECT_EQ(h->libvirt_uri, "qemu:///system");
  EXPECT_EQ(h->domain_type, "qemu");
  EXPECT_EQ(h->domain_type_reason, "no /dev/kvm (test)");
  EXPECT_FALSE(h->version.empty());

  hv_.fail_hostname = Status::Unavailable("libvirtd is down");
  auto down = service_->Host();
  ASSERT_TRUE(down.ok());
  EXPECT_THAT(down->hostname, HasSubstr("libvirtd is down"));
}

TEST_F(HostVmServiceTest, DeployWritesLayersDefinesStartsAndRecords) {
  auto v = service_->Deploy(Request());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->name, "web1");
  EXPECT_EQ(v->host, "node-1");
  EXPECT_EQ(v->state, "running");
  EXPECT_EQ(v->manifest_source, dir_.Path("manifests/web1.yaml"));
  EXPECT_EQ(v->created_at_ms, kT0);
  EXPECT_EQ(v->uuid.size(), 36u);

  // One ISO per class, nothing else.
  EXPECT_EQ(VmFiles(), (std::set<std::string>{"service-g1.iso", "infrastructure-g1.iso", "broker-g1.iso"}));

  // The service layer is the NoCloud seed.
  const context::IsoContents service = ReadIsoFile(VmDir() + "/service-g1.iso");
  EXPECT_EQ(service.volume_id, "cidata");
  ASSERT_EQ(service.files.count(".tern/layer.json"), 1u);
  auto meta = context::ParseLayerMetadataJson(service.files.at(".tern/layer.json"), "layer.json");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->class_name, "service");
  EXPECT_EQ(meta->priority, 50);
  EXPECT_EQ(meta->generation, 1u);
  EXPECT_EQ(meta->origin, "manifest:" + dir_.Path("manifests/web1.yaml"));
  ASSERT_EQ(service.files.count("meta-data"), 1u);
  EXPECT_THAT(service.files.at("meta-data"), HasSubstr("instance-id: tern-" + v->uuid));
  EXPECT_EQ(service.files.count("context/values/app"), 1u);

  // The host's infrastructure layer.
  const context::IsoContents infra = ReadIsoFile(VmDir() + "/infrastructure-g1.iso");
  EXPECT_NE(infra.volume_id, "cidata");
  ASSERT_EQ(infra.files.count(".tern/layer.json"), 1u);
  auto imeta = context::ParseLayerMetadataJson(infra.files.at(".tern/layer.json"), "layer.json");
  ASSERT_TRUE(imeta.ok());
  EXPECT_EQ(imeta->class_name, "infrastructure");
  EXPECT_EQ(imeta->origin, "host:node-1");
  EXPECT_EQ(infra.files.at("context/values/dc"), "fra1");
  EXPECT_EQ(infra.files.count("meta-data"), 0u);

  // The domain: defined with the planned spec, then started.
  EXPECT_EQ(hv_.CallCount("Define web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Start web1"), 1u);
  auto dom = hv_.Get("web1");
  ASSERT_TRUE(dom.has_value());
  EXPECT_TRUE(dom->info.active);
  EXPECT_TRUE(dom->info.persistent);
  EXPECT_EQ(dom->spec.uuid, v->uuid);
  EXPECT_EQ(dom->spec.domain_type, "qemu");
  EXPECT_EQ(dom->spec.memory_mib, 128);
  EXPECT_EQ(dom->spec.vcpus, 2);
  EXPECT_EQ(dom->spec.kernel, dir_.Path("manifests/guest/vmlinuz"));
  EXPECT_EQ(dom->spec.metadata.at("managed"), "1");
  EXPECT_EQ(dom->spec.metadata.at("host"), "node-1");
  ASSERT_EQ(dom->spec.cdroms.size(), 3u);
  EXPECT_EQ(dom->spec.cdroms[0].target_dev, "sda");
  EXPECT_EQ(dom->spec.cdroms[0].source, VmDir() + "/service-g1.iso");
  EXPECT_EQ(dom->spec.cdroms[1].source, VmDir() + "/infrastructure-g1.iso");
  EXPECT_EQ(dom->spec.cdroms[2].source, VmDir() + "/broker-g1.iso");
  EXPECT_EQ(dom->spec.serial_log, VmDir() + "/serial.log");

  // The record.
  auto rec = store_->GetVm("web1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->uuid, v->uuid);
  EXPECT_EQ(rec->host, "node-1");
  EXPECT_EQ(rec->state, "running");
  EXPECT_EQ(rec->instance_id, "tern-" + v->uuid);
  EXPECT_EQ(rec->created_at_ms, kT0);

  now_ += 1000;
  auto shown = service_->Show("web1");
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ(shown->state, "running");
  EXPECT_EQ(shown->host, "node-1");
  EXPECT_EQ(shown->uuid, v->uuid);
  ASSERT_EQ(shown->layers.size(), 3u);
  std::map<std::string, api::LayerView> by_class;
  for (const auto& l : shown->layers) {
    EXPECT_EQ(l.generation, 1u) << l.class_name;
    EXPECT_EQ(l.reason, "deploy") << l.class_name;
    EXPECT_EQ(l.changed_at_ms, kT0) << l.class_name;
    EXPECT_EQ(l.iso_path, VmDir() + "/" + l.class_name + "-g1.iso");
    by_class[l.class_name] = l;
  }
  ASSERT_EQ(by_class.size(), 3u);
  EXPECT_EQ(by_class["service"].device, "sda");
  EXPECT_EQ(by_class["service"].priority, 50);
  EXPECT_EQ(by_class["infrastructure"].device, "sdb");
  EXPECT_EQ(by_class["infrastructure"].origin, "host:node-1");
  EXPECT_EQ(by_class["broker"].device, "sdc");
  EXPECT_EQ(by_class["broker"].origin, "manifest:" + dir_.Path("manifests/web1.yaml"));

  auto events = service_->Events("web1", 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "deploy");
  EXPECT_EQ((*events)[0].at_ms, kT0);
  EXPECT_THAT((*events)[0].detail, HasSubstr("node-1"));

  auto list = service_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "web1");
  EXPECT_EQ((*list)[0].layers.size(), 3u);
}

TEST_F(HostVmServiceTest, EachDeployGetsItsOwnUuid) {
  auto a = MustDeploy("web1");
  auto b = MustDeploy("web2");
  EXPECT_NE(a.uuid, b.uuid);
  auto list = service_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "web1");
  EXPECT_EQ((*list)[1].name, "web2");
}

TEST(RandomUuidTest, IsVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string u = RandomUuid();
    ASSERT_EQ(u.size(), 36u) << u;
    EXPECT_EQ(u[8], '-');
    EXPECT_EQ(u[13], '-');
    EXPECT_EQ(u[18], '-');
    EXPECT_EQ(u[23], '-');
    EXPECT_EQ(u[14], '4') << u;
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST_F(HostVmServiceTest, DeployingTheSameNameAgainChangesNothing) {
  auto first = MustDeploy();
  const auto calls_before = hv_.calls().size();
  const auto files_before = VmFiles();
  const auto mtime = fs::last_write_time(VmDir() + "/service-g1.iso");
  now_ += 5000;

  auto again = service_->Deploy(Request());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("web1"));

  EXPECT_EQ(hv_.CallCount("Define web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Start web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Undefine web1"), 0u);
  EXPECT_EQ(hv_.CallCount("Destroy web1"), 0u);
  EXPECT_LE(hv_.calls().size(), calls_before + 1);  // at most a Lookup
  EXPECT_TRUE(hv_.Get("web1")->info.active);
  EXPECT_EQ(VmFiles(), files_before);
  EXPECT_EQ(fs::last_write_time(VmDir() + "/service-g1.iso"), mtime);
  auto rec = store_->GetVm("web1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->uuid, first.uuid);
  EXPECT_EQ(rec->updated_at_ms, kT0);
  auto events = service_->Events("web1", 10);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
}

TEST_F(HostVmServiceTest, DomainNotManagedByTernIsRefused) {
  hv_.AddForeign("web1");
  auto v = service_->Deploy(Request());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(v.status().message(), HasSubstr("not managed by tern"));
  EXPECT_THAT(v.status().message(), HasSubstr("'web1'"));
  // The foreign domain is untouched, and tern created nothing.
  auto dom = hv_.Get("web1");
  ASSERT_TRUE(dom.has_value());
  EXPECT_TRUE(dom->info.active);
  EXPECT_EQ(dom->info.uuid, "foreign-uuid-web1");
  EXPECT_EQ(hv_.CallCount("Define web1"), 0u);
  EXPECT_EQ(hv_.CallCount("Destroy web1"), 0u);
  EXPECT_EQ(hv_.CallCount("Undefine web1"), 0u);
  EXPECT_FALSE(fs::exists(VmDir()));
  EXPECT_EQ(store_->GetVm("web1").status().code(), StatusCode::kNotFound);
}

TEST_F(HostVmServiceTest, HypervisorUnavailableBeforeDeployCreatesNothing) {
  hv_.fail_lookup = Status::Unavailable("libvirtd is down");
  auto v = service_->Deploy(Request());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(v.status().message(), HasSubstr("deploy web1"));
  hv_.fail_lookup.reset();
  ExpectNothingOf("web1");
  EXPECT_EQ(hv_.CallCount("Define web1"), 0u);
}

TEST_F(HostVmServiceTest, BadManifestCreatesNothing) {
  api::DeployRequest req = Request();
  req.manifest += "monitoring: true\n";
  auto v = service_->Deploy(req);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("unknown key 'monitoring'"));
  EXPECT_THAT(v.status().message(), HasSubstr(req.source));
  ExpectNothingOf("web1");
  EXPECT_FALSE(fs::exists(config_.data_dir + "/vms"));
  for (const auto& c : hv_.calls()) {
    EXPECT_THAT(c, Not(HasSubstr("Define"))) << c;
  }
}

TEST_F(HostVmServiceTest, PriorityClashWithInfrastructureCreatesNothing) {
  api::DeployRequest req = Request();
  req.manifest = ManifestText("web1");
  req.manifest.replace(req.manifest.find("priority: 30"), 12, "priority: 20");  // the host's infrastructure
  auto v = service_->Deploy(req);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("'broker'"));
  EXPECT_THAT(v.status().message(), HasSubstr("'infrastructure'"));
  ExpectNothingOf("web1");
  EXPECT_EQ(hv_.CallCount("Define web1"), 0u);
}

TEST_F(HostVmServiceTest, VmNameWithUnderscoreDeploys) {
  auto v = service_->Deploy(Request("web_1"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(hv_.Has("web_1"));
  EXPECT_EQ(VmFiles("web_1").size(), 3u);
}

TEST_F(HostVmServiceTest, StartFailureRollsBack) {
  hv_.fail_start = Status::Internal("qemu exited: cannot open kernel");
  auto v = service_->Deploy(Request());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInternal);
  EXPECT_THAT(v.status().message(), HasSubstr("deploy web1"));
  EXPECT_THAT(v.status().message(), HasSubstr("cannot open kernel"));
  EXPECT_EQ(hv_.CallCount("Define web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Undefine web1"), 1u);
  ExpectNothingOf("web1");

  // The name is free again.
  hv_.fail_start.reset();
  MustDeploy();
  EXPECT_TRUE(hv_.Get("web1")->info.active);
}

TEST_F(HostVmServiceTest, DefineFailureRollsBack) {
  hv_.fail_define = Status::InvalidArgument("libvirt: unsupported configuration");
  auto v = service_->Deploy(Request());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("deploy web1"));
  EXPECT_THAT(v.status().message(), HasSubstr("unsupported configuration"));
  EXPECT_EQ(hv_.CallCount("Start web1"), 0u);
  ExpectNothingOf("web1");
}

TEST_F(HostVmServiceTest, DefineRaceDoesNotUndefineTheOtherDomain) {
  // Someone defines "web1" between tern's Lookup and its Define: Define says AlreadyExists, and tern must not
  // remove a domain it did not create.
  hv_.fail_define = Status::AlreadyExists("domain 'web1' already exists");
  hv_.AddForeign("web1-other");
  auto v = service_->Deploy(Request());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(hv_.CallCount("Undefine web1"), 0u);
  EXPECT_EQ(hv_.CallCount("Destroy web1"), 0u);
  EXPECT_FALSE(fs::exists(VmDir()));
}

TEST_F(HostVmServiceTest, OrphanFilesOfAnEarlierFailedDeployAreRemoved) {
  dir_.Write("data/vms/web1/service-g7.iso", "stale");
  MustDeploy();
  EXPECT_EQ(VmFiles(), (std::set<std::string>{"service-g1.iso", "infrastructure-g1.iso", "broker-g1.iso"}));
}

TEST_F(HostVmServiceTest, DeployKeepsTheFirstLifecycleEvents) {
  // The VM is recorded ("deploying") before the domain is defined, so DEFINED and STARTED, which libvirt
  // sends while the deploy is still running, are kept; nothing deadlocks when they arrive on the deploying
  // thread.
  hv_.emit_events = true;
  MustDeploy();
  EXPECT_EQ(StoredState(), "running");
  auto events = service_->Events("web1", 10);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> got;
  for (const auto& e : *events) got.push_back(e.kind + " " + e.detail);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_THAT(got[0], ::testing::StartsWith("deploy "));
  EXPECT_EQ(got[1], "lifecycle DEFINED/ADDED");
  EXPECT_EQ(got[2], "lifecycle STARTED/BOOTED");
}

TEST_F(HostVmServiceTest, StartFailureWithLifecycleEventsLeavesNoEvents) {
  hv_.emit_events = true;
  hv_.fail_start = Status::Internal("qemu exited");
  ASSERT_FALSE(service_->Deploy(Request()).ok());
  ExpectNothingOf("web1");
  auto orphans = store_->ListEvents("web1", 100);
  ASSERT_TRUE(orphans.ok());
  EXPECT_TRUE(orphans->empty());
}

TEST_F(HostVmServiceTest, ReconcileFinishesTheRollbackOfAnInterruptedDeploy) {
  // ternd stopped after recording the VM, before defining its domain.
  ASSERT_TRUE(store_
                  ->InsertVm({"web1", "u-1", "node-1", "deploying", "/m/web1.yaml", "tern-u-1", kT0, kT0},
                             {{"web1", "service", 50, 1, "manifest:/m/web1.yaml", VmDir() + "/service-g1.iso",
                               "sda", kT0, "deploy", ""}})
                  .ok());
  dir_.Write("data/vms/web1/service-g1.iso", "partial");
  ASSERT_TRUE(service_->Reconcile().ok());
  ExpectNothingOf("web1");
}

// docs/operator-guide.md: "If ternd itself stops mid-deploy, it finishes that rollback when it starts again."
TEST_F(HostVmServiceTest, ReconcileRollsBackAnInterruptedDeployWhoseDomainWasDefined) {
  // ternd stopped after defining the domain, before starting it: the record still says "deploying".
  ASSERT_TRUE(store_
                  ->InsertVm({"web1", "u-1", "node-1", "deploying", "/m/web1.yaml", "tern-u-1", kT0, kT0},
                             {{"web1", "service", 50, 1, "manifest:/m/web1.yaml", VmDir() + "/service-g1.iso",
                               "sda", kT0, "deploy", ""}})
                  .ok());
  dir_.Write("data/vms/web1/service-g1.iso", "image");
  virt::DomainSpec spec;
  spec.name = "web1";
  spec.uuid = "u-1";
  ASSERT_TRUE(hv_.Define(spec).ok());
  ASSERT_TRUE(service_->Reconcile().ok());
  ExpectNothingOf("web1");
}

TEST_F(HostVmServiceTest, DestroyRemovesDomainFilesAndRecords) {
  MustDeploy();
  now_ += 1000;
  ASSERT_TRUE(service_->Destroy("web1").ok());
  EXPECT_EQ(hv_.CallCount("Destroy web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Undefine web1"), 1u);
  ExpectNothingOf("web1");
  EXPECT_EQ(service_->Events("web1", 10).status().code(), StatusCode::kNotFound);
  auto list = service_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  // The other VMs' directory is still there.
  EXPECT_TRUE(fs::exists(config_.data_dir + "/vms"));
}

TEST_F(HostVmServiceTest, DestroyWithLifecycleEventsLeavesNoOrphanEvents) {
  hv_.emit_events = true;
  MustDeploy();
  ASSERT_TRUE(service_->Destroy("web1").ok());
  ExpectNothingOf("web1");
  auto orphans = store_->ListEvents("web1", 100);
  ASSERT_TRUE(orphans.ok());
  EXPECT_TRUE(orphans->empty());
  // And the name can be deployed again, with a fresh history (nothing of the first VM's).
  MustDeploy();
  auto events = service_->Events("web1", 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kind, "deploy");
  EXPECT_EQ((*events)[1].detail, "DEFINED/ADDED");
  EXPECT_EQ((*events)[2].detail, "STARTED/BOOTED");
}

TEST_F(HostVmServiceTest, DestroyOfAStoppedOrVanishedDomain) {
  MustDeploy("web1");
  MustDeploy("web2");
  ASSERT_TRUE(hv_.Destroy("web1").ok());  // stopped behind tern's back
  hv_.Vanish("web2");                     // removed behind tern's back
  EXPECT_TRUE(service_->Destroy("web1").ok());
  EXPECT_TRUE(service_->Destroy("web2").ok());
  ExpectNothingOf("web1");
  ExpectNothingOf("web2");
}

TEST_F(HostVmServiceTest, DestroyUnknownIsNotFound) {
  Status s = service_->Destroy("nope");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("'nope'"));
  // A domain tern does not manage is not destroyed either.
  hv_.AddForeign("foreign");
  EXPECT_EQ(service_->Destroy("foreign").code(), StatusCode::kNotFound);
  EXPECT_TRUE(hv_.Get("foreign")->info.active);
}

TEST_F(HostVmServiceTest, DestroyFailureKeepsTheRecord) {
  MustDeploy();
  hv_.fail_undefine = Status::Internal("libvirt: operation failed");
  Status s = service_->Destroy("web1");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("destroy web1"));
  EXPECT_TRUE(store_->GetVm("web1").ok());
  hv_.fail_undefine.reset();
  EXPECT_TRUE(service_->Destroy("web1").ok());
  ExpectNothingOf("web1");
}

TEST_F(HostVmServiceTest, LifecycleEventsUpdateStateAndHistory) {
  auto v = MustDeploy();
  now_ = kT0 + 100;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 3, 0));  // SUSPENDED/PAUSED
  EXPECT_EQ(StoredState(), "paused");
  now_ = kT0 + 200;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 4, 0));  // RESUMED/UNPAUSED
  EXPECT_EQ(StoredState(), "running");
  now_ = kT0 + 300;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 6, 2));  // SHUTDOWN/HOST: no state of its own
  EXPECT_EQ(StoredState(), "running");
  now_ = kT0 + 400;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 5, 1));  // STOPPED/DESTROYED
  EXPECT_EQ(StoredState(), "shutoff");
  now_ = kT0 + 500;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 8, 0));  // CRASHED/PANICKED
  EXPECT_EQ(StoredState(), "crashed");
  now_ = kT0 + 600;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 7, 0));  // PMSUSPENDED/MEMORY
  EXPECT_EQ(StoredState(), "pmsuspended");
  now_ = kT0 + 700;
  hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, 2, 1));  // STARTED/MIGRATED
  EXPECT_EQ(StoredState(), "running");
  auto rec = store_->GetVm("web1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->updated_at_ms, kT0 + 700);

  auto events = service_->Events("web1", 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> got;
  for (const auto& e : *events) got.push_back(e.kind + " " + e.detail + " @" + std::to_string(e.at_ms - kT0));
  EXPECT_THAT(got, ElementsAre("deploy " + (*events)[0].detail + " @0", "lifecycle SUSPENDED/PAUSED @100",
                               "lifecycle RESUMED/UNPAUSED @200", "lifecycle SHUTDOWN/HOST @300",
                               "lifecycle STOPPED/DESTROYED @400", "lifecycle CRASHED/PANICKED @500",
                               "lifecycle PMSUSPENDED/MEMORY @600", "lifecycle STARTED/MIGRATED @700"));
}

TEST_F(HostVmServiceTest, LifecycleEventOfUnknownDomainRecordsNothing) {
  MustDeploy();
  hv_.AddForeign("foreign");
  hv_.Emit(virt::DecodeLifecycleEvent("foreign", "u", 5, 1));
  hv_.Emit(virt::DecodeLifecycleEvent("ghost", "u", 3, 0));
  auto foreign = store_->ListEvents("foreign", 100);
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE(foreign->empty());
  auto ghost = store_->ListEvents("ghost", 100);
  ASSERT_TRUE(ghost.ok());
  EXPECT_TRUE(ghost->empty());
  EXPECT_EQ(store_->GetVm("foreign").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetVm("ghost").status().code(), StatusCode::kNotFound);
  auto vms = store_->ListVms();
  ASSERT_TRUE(vms.ok());
  ASSERT_EQ(vms->size(), 1u);
  EXPECT_EQ(StoredState(), "running");
  auto events = service_->Events("web1", 100);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
}

TEST_F(HostVmServiceTest, ShowReportsTheLiveState) {
  MustDeploy();
  hv_.SetState("web1", "paused");
  auto v = service_->Show("web1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->state, "paused");
  EXPECT_EQ(StoredState(), "running");  // Show does not write

  hv_.Vanish("web1");
  auto gone = service_->Show("web1");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->state, "missing");

  // When the hypervisor cannot be asked, Show falls back to the recorded state.
  hv_.fail_lookup = Status::Unavailable("libvirtd is down");
  auto unknown = service_->Show("web1");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->state, "running");
}

TEST_F(HostVmServiceTest, ReconcileBringsRecordsInLineWithTheHypervisor) {
  MustDeploy("web1");
  MustDeploy("web2");
  MustDeploy("web3");
  hv_.Vanish("web1");
  hv_.SetState("web2", "paused");
  now_ = kT0 + 1000;
  ASSERT_TRUE(service_->Reconcile().ok());
  EXPECT_EQ(StoredState("web1"), "missing");
  EXPECT_EQ(StoredState("web2"), "paused");
  EXPECT_EQ(StoredState("web3"), "running");
  EXPECT_EQ(store_->GetVm("web1")->updated_at_ms, kT0 + 1000);
  EXPECT_EQ(store_->GetVm("web3")->updated_at_ms, kT0);  // unchanged: not written
  EXPECT_EQ(service_->Show("web1")->state, "missing");
  EXPECT_EQ(service_->Show("web2")->state, "paused");
  // The records stay (tern does not forget a VM because libvirt lost it).
  auto vms = store_->ListVms();
  ASSERT_TRUE(vms.ok());
  EXPECT_EQ(vms->size(), 3u);
}

TEST_F(HostVmServiceTest, ReconcileFailsWhenTheHypervisorIsUnavailable) {
  MustDeploy();
  hv_.fail_lookup = Status::Unavailable("libvirtd is down");
  Status s = service_->Reconcile();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("reconcile"));
  EXPECT_THAT(s.message(), HasSubstr("libvirtd is down"));
  EXPECT_EQ(StoredState(), "running");
}

TEST_F(HostVmServiceTest, EventsReturnsTheNewestInOrder) {
  auto v = MustDeploy();
  const std::vector<std::pair<int, int>> evs = {{3, 0}, {4, 0}, {3, 0}, {4, 0}, {5, 1}};
  for (size_t i = 0; i < evs.size(); ++i) {
    now_ = kT0 + 10 * static_cast<int64_t>(i + 1);
    hv_.Emit(virt::DecodeLifecycleEvent("web1", v.uuid, evs[i].first, evs[i].second));
  }
  auto last3 = service_->Events("web1", 3);
  ASSERT_TRUE(last3.ok());
  ASSERT_EQ(last3->size(), 3u);
  EXPECT_EQ((*last3)[0].at_ms, kT0 + 30);
  EXPECT_EQ((*last3)[0].detail, "SUSPENDED/PAUSED");
  EXPECT_EQ((*last3)[1].at_ms, kT0 + 40);
  EXPECT_EQ((*last3)[1].detail, "RESUMED/UNPAUSED");
  EXPECT_EQ((*last3)[2].at_ms, kT0 + 50);
  EXPECT_EQ((*last3)[2].detail, "STOPPED/DESTROYED");

  auto all = service_->Events("web1", 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ((*all)[0].kind, "deploy");
  for (size_t i = 1; i < all->size(); ++i) EXPECT_LT((*all)[i - 1].at_ms, (*all)[i].at_ms);

  auto one = service_->Events("web1", 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].detail, "STOPPED/DESTROYED");

  EXPECT_EQ(service_->Events("nope", 10).status().code(), StatusCode::kNotFound);
}

TEST_F(HostVmServiceTest, TernNicsAreRefusedWithoutNetworksAndNothingIsCreated) {
  api::DeployRequest r = Request();
  r.manifest =
      "vm:\n  name: web1\n  memory_mib: 128\n  nics:\n    - type: tern\n      network: blue\n"
      "context:\n  service:\n    priority: 50\n";
  auto v = service_->Deploy(r);
  EXPECT_EQ(v.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(v.status().message(), HasSubstr("does not serve tern networks"));
  EXPECT_FALSE(hv_.Has("web1"));
  EXPECT_FALSE(store_->GetVm("web1").ok());
}

TEST_F(HostVmServiceTest, AttachingAUdpNicToARunningVmNeedsARestart) {
  ASSERT_TRUE(service_->Deploy(Request()).ok());
  const UdpNic nic{"52:54:00:00:00:42", 42000, 42001};
  auto refused = service_->AttachUdpNic("web1", nic, /*restart=*/false);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("cannot hot-plug a UDP interface"));
  EXPECT_EQ(hv_.CallCount("DefineXml"), 0u);  // a refusal changes nothing

  auto restarted = service_->AttachUdpNic("web1", nic, /*restart=*/true);
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  EXPECT_TRUE(*restarted);
  EXPECT_EQ(hv_.CallCount("DefineXml"), 1u);
  EXPECT_EQ(hv_.CallCount("Destroy web1"), 1u);
  EXPECT_EQ(hv_.CallCount("Start web1"), 2u);
  auto xml = hv_.DomainXml("web1");
  ASSERT_TRUE(xml.ok());
  EXPECT_THAT(ListUdpNics(*xml), ElementsAre(nic));
  EXPECT_EQ(StoredState(), "running");

  // The same MAC twice is refused; a stopped VM gets the NIC at its next start, without a restart.
  auto dup = service_->AttachUdpNic("web1", nic, true);
  EXPECT_THAT(dup.status().message(), HasSubstr("already has an interface with MAC"));
  ASSERT_TRUE(hv_.Destroy("web1").ok());
  auto later = service_->AttachUdpNic("web1", {"52:54:00:00:00:43", 42002, 42003}, false);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_FALSE(*later);
  EXPECT_EQ(hv_.CallCount("Start web1"), 2u);
  EXPECT_EQ(service_->AttachUdpNic("nope", nic, true).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tern::daemon
