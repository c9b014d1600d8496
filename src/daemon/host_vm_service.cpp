#include "daemon/host_vm_service.h"

#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>
#include <random>

#include "api/text_format.h"
#include "context/iso_builder.h"
#include "context/manifest.h"
#include "core/files.h"
#include "daemon/deploy_plan.h"
#include "daemon/network_manager.h"
#include "recontext/layer_digest.h"
#include "recontext/vm_metadata.h"

namespace tern::daemon {

std::string RandomUuid() {
  std::random_device rd;
  std::array<uint8_t, 16> b{};
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

namespace {

// The state tern records for a lifecycle event, or "" when the event does not change it.
std::string StateAfter(virt::LifecycleEvent e) {
  switch (e) {
    case virt::LifecycleEvent::kStarted:
    case virt::LifecycleEvent::kResumed:
      return "running";
    case virt::LifecycleEvent::kSuspended:
      return "paused";
    case virt::LifecycleEvent::kStopped:
      return "shutoff";
    case virt::LifecycleEvent::kCrashed:
      return "crashed";
    case virt::LifecycleEvent::kPMSuspended:
      return "pmsuspended";
    default:
      return "";
  }
}

}  // namespace

HostVmService::HostVmService(DaemonConfig config, virt::Hypervisor& hypervisor, store::StateStore& store,
                             std::string domain_type, std::string domain_type_reason,
                             std::function<int64_t()> now_ms)
    : config_(std::move(config)),
      hypervisor_(hypervisor),
      store_(store),
      domain_type_(std::move(domain_type)),
      domain_type_reason_(std::move(domain_type_reason)),
      now_ms_(std::move(now_ms)),
      recontext_(hypervisor, store, {config_.host_name, config_.data_dir, config_.infrastructure}, now_ms_),
      migrations_(config_, hypervisor, store, now_ms_) {}

Result<api::HostView> HostVmService::Host() {
  api::HostView h;
  h.name = config_.host_name;
  auto hn = hypervisor_.Hostname();
  h.hostname = hn.ok() ? *hn : "(libvirt unavailable: " + hn.status().message() + ")";
  h.libvirt_uri = config_.libvirt_uri;
  h.domain_type = domain_type_;
  h.domain_type_reason = domain_type_reason_;
  h.version = "0.1.0";
  return h;
}

void HostVmService::RemoveVmDir(const std::string& vm_dir) {
  std::error_code ec;
  std::filesystem::remove_all(vm_dir, ec);
  if (ec) spdlog::warn("cannot remove '{}': {}", vm_dir, ec.message());
}

Result<api::VmView> HostVmService::Deploy(const api::DeployRequest& req) {
  TERN_ASSIGN_OR_RETURN(auto manifest, context::ParseManifestText(req.manifest, req.source, req.base_dir));
  const std::string& name = manifest.vm.name;
  std::lock_guard lock(deploy_mu_);
  if (auto known = store_.GetVm(name); known.ok()) {
    return Status::AlreadyExists("vm '" + name + "' already exists on host " + config_.host_name);
  } else if (known.status().code() != StatusCode::kNotFound) {
    return known.status().WithContext("deploy " + name);
  }
  auto existing = hypervisor_.Lookup(name);
  if (existing.ok()) {
    return Status::AlreadyExists("a libvirt domain named '" + name + "' already exists on host " +
                                 config_.host_name + " (not managed by tern)");
  }
  if (existing.status().code() != StatusCode::kNotFound)
    return existing.status().WithContext("deploy " + name);

  const std::string uuid = RandomUuid();
  HostFacts facts{config_.host_name, domain_type_, config_.data_dir, config_.infrastructure, {}};
  // NICs on tern networks get their switch ports first: open before the VM sends its first frame.
  std::vector<NicRequest> tern_nics;
  for (size_t i = 0; i < manifest.vm.nics.size(); ++i) {
    const auto& nic = manifest.vm.nics[i];
    if (nic.type == "tern")
      tern_nics.push_back({nic.network, nic.mac.empty() ? TernNicMac(uuid, i) : nic.mac});
  }
  if (!tern_nics.empty()) {
    if (networks_ == nullptr) {
      return Status::FailedPrecondition("deploy " + name + ": host " + config_.host_name +
                                        " does not serve tern networks");
    }
    TERN_ASSIGN_OR_RETURN(facts.tern_nics, networks_->OpenVmPorts(name, tern_nics));
  }
  auto planned = PlanDeploy(manifest, facts, uuid);
  if (!planned.ok()) {
    if (!tern_nics.empty()) (void)networks_->CloseVmPorts(name);
    return planned.status();
  }
  DeployPlan plan = std::move(planned).value();
  // Anything in the VM's directory is an orphan of an earlier failed deploy: tern owns it and no VM uses it.
  RemoveVmDir(plan.vm_dir);
  auto fail = [&](const Status& s, bool defined, bool recorded) {
    if (defined) {
      (void)hypervisor_.Destroy(name);
      Status u = hypervisor_.Undefine(name);
      if (!u.ok() && u.code() != StatusCode::kNotFound)
        spdlog::error("rollback of {}: {}", name, u.ToString());
    }
    if (recorded) {
      Status d = store_.DeleteVm(name);
      if (!d.ok()) spdlog::error("rollback of {}: {}", name, d.ToString());
    }
    RemoveVmDir(plan.vm_dir);
    if (!tern_nics.empty()) (void)networks_->CloseVmPorts(name);
    spdlog::warn("deploy of {} failed, rolled back: {}", name, s.ToString());
    return s.WithContext("deploy " + name);
  };
  if (Status s = MakeDirs(plan.vm_dir); !s.ok()) return fail(s, false, false);
  for (const auto& l : plan.layers) {
    if (Status s = context::WriteLayerIso(l.cls, l.meta, l.iso, l.iso_path); !s.ok())
      return fail(s, false, false);
  }
  // Recorded before the domain exists so that its first lifecycle events (DEFINED, STARTED) are kept; a
  // failed deploy removes the record again.
  const int64_t now = now_ms_();
  store::VmRecord rec{name, uuid, config_.host_name, "deploying", manifest.source, "tern-" + uuid, now, now};
  std::vector<store::LayerRecord> layers;
  for (const auto& l : plan.layers) {
    auto digest = recontext::LayerDigest(l.cls, l.meta.origin);
    if (!digest.ok()) return fail(digest.status(), false, false);
    layers.push_back({name, l.cls.name, l.cls.priority, l.meta.generation, l.meta.origin, l.iso_path,
                      l.target_dev, now, "deploy", *digest});
  }
  if (Status s = store_.InsertVm(rec, layers); !s.ok()) return fail(s, false, false);
  // The domain carries what any host needs to adopt it after a migration tern did not start.
  for (const auto& [k, v] : recontext::EncodeVmMetadata(rec, layers)) plan.domain.metadata[k] = v;
  (void)store_.AppendEvent(
      {0, name, now, "deploy", "on host " + config_.host_name + " from " + manifest.source});
  if (Status s = hypervisor_.Define(plan.domain); !s.ok()) return fail(s, false, true);
  if (Status s = hypervisor_.Start(name); !s.ok()) return fail(s, true, true);
  (void)store_.UpdateVmState(name, "running", now_ms_());
  rec.state = "running";
  spdlog::info("deployed vm {} ({} layers) on {}", name, layers.size(), config_.host_name);
  return View(rec);
}

Result<api::VmView> HostVmService::View(const store::VmRecord& vm) {
  api::VmView v{vm.name, vm.uuid, vm.host, vm.state, vm.manifest_source, vm.created_at_ms, {}};
  auto live = hypervisor_.Lookup(vm.name);
  if (live.ok()) {
    v.state = live->state;
  } else if (live.status().code() == StatusCode::kNotFound) {
    v.state = "missing";
  }
  TERN_ASSIGN_OR_RETURN(auto layers, store_.ListLayers(vm.name));
  for (const auto& l : layers) {
    v.layers.push_back({l.class_name, l.priority, l.generation, l.origin, l.target_dev, l.iso_path,
                        l.changed_at_ms, l.reason});
  }
  return v;
}

Result<std::vector<api::VmView>> HostVmService::List() {
  TERN_ASSIGN_OR_RETURN(auto vms, store_.ListVms());
  std::vector<api::VmView> out;
  for (const auto& vm : vms) {
    TERN_ASSIGN_OR_RETURN(auto v, View(vm));
    out.push_back(std::move(v));
  }
  return out;
}

Result<api::VmView> HostVmService::Show(const std::string& name) {
  auto vm = store_.GetVm(name);
  if (!vm.ok() && vm.status().code() == StatusCode::kNotFound) {
    if (auto d = store_.GetDeparture(name); d.ok()) {
      return Status::NotFound("vm '" + name + "' is not managed by tern on this host: it left " +
                              config_.host_name +
                              (d->to_host.empty() ? " (migrated by another tool)" : " for " + d->to_host) +
                              " at " + api::FormatTimeMs(d->at_ms));
    }
  }
  if (!vm.ok()) return vm.status();
  return View(*vm);
}

Status HostVmService::Destroy(const std::string& name) {
  std::lock_guard lock(deploy_mu_);
  TERN_ASSIGN_OR_RETURN(auto vm, store_.GetVm(name));
  Status d = hypervisor_.Destroy(name);
  if (!d.ok() && d.code() != StatusCode::kNotFound) return d.WithContext("destroy " + name);
  Status u = hypervisor_.Undefine(name);
  if (!u.ok() && u.code() != StatusCode::kNotFound) return u.WithContext("destroy " + name);
  RemoveVmDir(config_.data_dir + "/vms/" + name);
  if (networks_ != nullptr) (void)networks_->CloseVmPorts(name);
  TERN_RETURN_IF_ERROR(store_.DeleteVm(name));
  spdlog::info("destroyed vm {} on {}", name, config_.host_name);
  return Status::Ok();
}

Result<std::vector<api::EventView>> HostVmService::Events(const std::string& name, int limit) {
  TERN_RETURN_IF_ERROR(store_.GetVm(name).status());
  TERN_ASSIGN_OR_RETURN(auto events, store_.ListEvents(name, limit));
  std::vector<api::EventView> out;
  for (const auto& e : events) out.push_back({e.at_ms, e.kind, e.detail});
  return out;
}

void HostVmService::OnDomainEvent(const virt::DomainEvent& e) {
  using virt::LifecycleEvent;
  const bool migrated = e.detail_name == "MIGRATED";
  if (e.event == LifecycleEvent::kResumed && migrated) return OnArrival(e);
  auto known = store_.GetVm(e.domain);
  if (!known.ok()) return;  // not a tern VM here (or already removed)
  const int64_t now = now_ms_();
  const std::string detail = e.event_name + "/" + e.detail_name;
  if (e.event == LifecycleEvent::kStopped && migrated) {
    // Gone to another host. A migration tern drives records its destination itself.
    if (migrations_.IsMigrating(e.domain)) return;
    spdlog::info("vm {} left this host (a migration tern did not start)", e.domain);
    (void)store_.RecordDeparture({e.domain, known->uuid, "", now});
    if (networks_ != nullptr) (void)networks_->CloseVmPorts(e.domain);
    return;
  }
  if (Status s = store_.AppendEvent({0, e.domain, now, "lifecycle", detail}); !s.ok()) {
    spdlog::warn("event {} of {} not recorded: {}", detail, e.domain, s.ToString());
  }
  // An incoming VM is only running here once it resumes (or libvirt says it is gone).
  if (known->state == "incoming") return;
  if (const std::string state = StateAfter(e.event); !state.empty()) {
    (void)store_.UpdateVmState(e.domain, state, now);
  }
  spdlog::info("vm {}: {}", e.domain, detail);
}

void HostVmService::OnArrival(const virt::DomainEvent& e) {
  // RESUMED/MIGRATED: the VM runs here now (also seen at a source whose migration failed: then its
  // infrastructure layer is already this host's and nothing is swapped).
  auto known = store_.GetVm(e.domain);
  if (!known.ok()) {
    Status a = recontext_.Adopt(e.domain);
    if (a.code() == StatusCode::kNotFound) return;  // not a tern VM
    if (!a.ok()) {
      spdlog::error("vm {} arrived but cannot be adopted: {}", e.domain, a.ToString());
      return;
    }
  }
  const int64_t now = now_ms_();
  (void)store_.AppendEvent({0, e.domain, now, "lifecycle", e.event_name + "/" + e.detail_name});
  (void)store_.UpdateVmState(e.domain, "running", now);
  (void)store_.UpdateVmHost(e.domain, config_.host_name, now);
  EnsureInfrastructureLogged(e.domain, "migration", e.at);
}

void HostVmService::EnsureInfrastructureLogged(
    const std::string& vm, const std::string& reason,
    std::optional<std::chrono::system_clock::time_point> event_at) {
  auto r = recontext_.EnsureInfrastructure(vm, reason, event_at);
  if (!r.ok())
    spdlog::error("vm {}: infrastructure layer not swapped ({}): {}", vm, reason, r.status().ToString());
}

Result<api::RecontextView> HostVmService::Recontext(const std::string& name, const std::string& class_name) {
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(name));
  if (rec.state == "incoming" || rec.state == "deploying") {
    return Status::FailedPrecondition("vm '" + name + "' is " + rec.state +
                                      "; recontextualize it once it runs");
  }
  if (migrations_.IsMigrating(name)) return Status::FailedPrecondition("vm '" + name + "' is migrating");
  TERN_ASSIGN_OR_RETURN(auto o, recontext_.Rebuild(name, class_name, "recontext"));
  return api::RecontextView{
      o.class_name,        o.generation,        o.timings.resolve_ms, o.timings.build_ms,
      o.timings.detach_ms, o.timings.attach_ms, o.timings.prebuilt,   recontext::FormatOutcome(o)};
}

void HostVmService::SetNetworks(NetworkManager* networks) {
  networks_ = networks;
  migrations_.SetNetworks(networks);
}

Result<api::MigrationView> HostVmService::Migrate(const std::string& name, const std::string& to_host) {
  return migrations_.Start(name, to_host);
}

Result<api::MigrationView> HostVmService::GetMigration(const std::string& id) {
  return migrations_.Get(id);
}

Status HostVmService::ReloadInfrastructure(const context::ContextClass& infrastructure) {
  recontext_.SetHost({config_.host_name, config_.data_dir, infrastructure});
  {
    std::lock_guard lock(deploy_mu_);
    config_.infrastructure = infrastructure;
  }
  TERN_ASSIGN_OR_RETURN(auto vms, store_.ListVms());
  for (const auto& vm : vms) {
    if (vm.state == "running" || vm.state == "paused")
      EnsureInfrastructureLogged(vm.name, "config", std::nullopt);
  }
  return Status::Ok();
}

Status HostVmService::Reconcile() {
  std::vector<std::string> running;
  {
    std::lock_guard lock(deploy_mu_);
    // Tern VMs running here that this host does not know arrived while ternd was down (or by another tool).
    auto domains = hypervisor_.ListDomains();
    if (!domains.ok())
      return domains.status().WithContext("reconcile (listing the domains of " + config_.host_name + ")");
    for (const auto& d : *domains) {
      if (!d.active || store_.GetVm(d.name).ok()) continue;
      Status a = recontext_.Adopt(d.name);
      if (!a.ok() && a.code() != StatusCode::kNotFound) spdlog::warn("reconcile: {}", a.ToString());
    }
    TERN_ASSIGN_OR_RETURN(auto vms, store_.ListVms());
    for (const auto& vm : vms) {
      if (migrations_.IsMigrating(vm.name)) continue;  // its migration decides where it is
      auto live = hypervisor_.Lookup(vm.name);
      if (!live.ok() && live.status().code() != StatusCode::kNotFound) {
        return live.status().WithContext("reconcile " + vm.name);
      }
      if (vm.state == "incoming") {
        // Prepared for a migration: it becomes ours when it runs here (the arrival event may have been
        // missed).
        if (live.ok() && live->active && live->state == "running" && !migrations_.IsMigrating(vm.name)) {
          (void)store_.UpdateVmState(vm.name, "running", now_ms_());
          running.push_back(vm.name);
        }
        continue;
      }
      if (vm.state == "deploying" && (!live.ok() || live->uuid == vm.uuid)) {
        // ternd stopped in the middle of this deploy: the client was never told it exists, so finish the
        // rollback as for a failed deploy.
        spdlog::warn("reconcile: rolling back the interrupted deploy of {}", vm.name);
        if (live.ok()) {
          (void)hypervisor_.Destroy(vm.name);
          Status u = hypervisor_.Undefine(vm.name);
          if (!u.ok() && u.code() != StatusCode::kNotFound) return u.WithContext("reconcile " + vm.name);
        }
        RemoveVmDir(config_.data_dir + "/vms/" + vm.name);
        if (networks_ != nullptr) (void)networks_->CloseVmPorts(vm.name);
        TERN_RETURN_IF_ERROR(store_.DeleteVm(vm.name));
        continue;
      }
      const std::string state = live.ok() ? live->state : "missing";
      if (state != vm.state) {
        spdlog::info("reconcile: vm {} was {}, is {}", vm.name, vm.state, state);
        TERN_RETURN_IF_ERROR(store_.UpdateVmState(vm.name, state, now_ms_()));
      }
      if (live.ok() && live->active && !migrations_.IsMigrating(vm.name)) running.push_back(vm.name);
    }
  }
  for (const auto& name : running) EnsureInfrastructureLogged(name, "reconcile", std::nullopt);
  return Status::Ok();
}

}  // namespace tern::daemon
