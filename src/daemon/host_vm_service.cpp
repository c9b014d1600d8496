#include "daemon/host_vm_service.h"

#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>
#include <random>

#include "context/iso_builder.h"
#include "context/manifest.h"
#include "core/files.h"
#include "daemon/deploy_plan.h"

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
      now_ms_(std::move(now_ms)) {}

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
  TERN_ASSIGN_OR_RETURN(
      auto plan,
      PlanDeploy(manifest, {config_.host_name, domain_type_, config_.data_dir, config_.infrastructure},
                 uuid));
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
    layers.push_back({name, l.cls.name, l.cls.priority, l.meta.generation, l.meta.origin, l.iso_path,
                      l.target_dev, now, "deploy"});
  }
  if (Status s = store_.InsertVm(rec, layers); !s.ok()) return fail(s, false, false);
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
  TERN_ASSIGN_OR_RETURN(auto vm, store_.GetVm(name));
  return View(vm);
}

Status HostVmService::Destroy(const std::string& name) {
  std::lock_guard lock(deploy_mu_);
  TERN_ASSIGN_OR_RETURN(auto vm, store_.GetVm(name));
  Status d = hypervisor_.Destroy(name);
  if (!d.ok() && d.code() != StatusCode::kNotFound) return d.WithContext("destroy " + name);
  Status u = hypervisor_.Undefine(name);
  if (!u.ok() && u.code() != StatusCode::kNotFound) return u.WithContext("destroy " + name);
  RemoveVmDir(config_.data_dir + "/vms/" + name);
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
  if (!store_.GetVm(e.domain).ok()) return;  // not a tern VM (or already removed)
  const int64_t now = now_ms_();
  const std::string detail = e.event_name + "/" + e.detail_name;
  if (Status s = store_.AppendEvent({0, e.domain, now, "lifecycle", detail}); !s.ok()) {
    spdlog::warn("event {} of {} not recorded: {}", detail, e.domain, s.ToString());
  }
  if (const std::string state = StateAfter(e.event); !state.empty()) {
    (void)store_.UpdateVmState(e.domain, state, now);
  }
  spdlog::info("vm {}: {}", e.domain, detail);
}

Status HostVmService::Reconcile() {
  TERN_ASSIGN_OR_RETURN(auto vms, store_.ListVms());
  for (const auto& vm : vms) {
    auto live = hypervisor_.Lookup(vm.name);
    std::string state;
    if (live.ok() && vm.state == "deploying" && live->uuid == vm.uuid) {
      // ternd stopped after defining this domain but before the deploy reported success: the client was never
      // told it exists, so finish the rollback as for a failed deploy.
      spdlog::warn("reconcile: rolling back the interrupted deploy of {}", vm.name);
      (void)hypervisor_.Destroy(vm.name);
      Status u = hypervisor_.Undefine(vm.name);
      if (!u.ok() && u.code() != StatusCode::kNotFound) return u.WithContext("reconcile " + vm.name);
      RemoveVmDir(config_.data_dir + "/vms/" + vm.name);
      TERN_RETURN_IF_ERROR(store_.DeleteVm(vm.name));
      continue;
    }
    if (live.ok()) {
      state = live->state;
    } else if (live.status().code() == StatusCode::kNotFound) {
      if (vm.state == "deploying") {
        // ternd stopped in the middle of this deploy, before the domain existed: finish its rollback.
        spdlog::warn("reconcile: removing the interrupted deploy of {}", vm.name);
        RemoveVmDir(config_.data_dir + "/vms/" + vm.name);
        TERN_RETURN_IF_ERROR(store_.DeleteVm(vm.name));
        continue;
      }
      state = "missing";
    } else {
      return live.status().WithContext("reconcile " + vm.name);
    }
    if (state != vm.state) {
      spdlog::info("reconcile: vm {} was {}, is {}", vm.name, vm.state, state);
      TERN_RETURN_IF_ERROR(store_.UpdateVmState(vm.name, state, now_ms_()));
    }
  }
  return Status::Ok();
}

}  // namespace tern::daemon
