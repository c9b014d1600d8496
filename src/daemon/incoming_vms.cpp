// HostVmService, destination side of a migration between hosts of a site: preparing for an incoming VM and
// dropping the preparation when the migration fails.
#include <spdlog/spdlog.h>

#include "context/names.h"
#include "core/base64.h"
#include "core/files.h"
#include "daemon/deploy_plan.h"
#include "daemon/host_vm_service.h"
#include "daemon/network_manager.h"

namespace tern::daemon {

Result<api::IncomingView> HostVmService::PrepareIncoming(const api::IncomingRequest& r) {
  TERN_RETURN_IF_ERROR(context::ValidateVmName(r.vm));
  std::lock_guard lock(deploy_mu_);
  if (auto known = store_.GetVm(r.vm); known.ok()) {
    if (known->state != "incoming") {
      return Status::AlreadyExists("vm '" + r.vm + "' already exists on host " + config_.host_name);
    }
    // A preparation left by an earlier migration that never arrived: replace it.
    TERN_RETURN_IF_ERROR(store_.DeleteVm(r.vm));
  }
  if (hypervisor_.Lookup(r.vm).ok()) {
    return Status::AlreadyExists("a libvirt domain named '" + r.vm + "' already exists on host " +
                                 config_.host_name);
  }
  const store::LayerRecord* infra = nullptr;
  std::vector<store::LayerRecord> layers;
  const std::string dir = config_.data_dir + "/vms/" + r.vm;
  api::IncomingView view;
  RemoveVmDir(dir);
  if (networks_ != nullptr) (void)networks_->CloseVmPorts(r.vm);  // left by an earlier preparation
  auto fail = [&](const Status& s) {
    RemoveVmDir(dir);
    recontext_.ForgetPrebuilt(r.vm);
    if (networks_ != nullptr) (void)networks_->CloseVmPorts(r.vm);
    return s.WithContext("prepare incoming vm " + r.vm + " on " + config_.host_name);
  };
  if (Status s = MakeDirs(dir); !s.ok()) return fail(s);
  for (const auto& l : r.layers) {
    if (!context::ValidateClassName(l.class_name).ok() && l.class_name != "infrastructure") {
      return fail(Status::InvalidArgument("layer class '" + l.class_name + "' is not a valid class name"));
    }
    auto bytes = Base64Decode(l.iso_base64, "layer " + l.class_name);
    if (!bytes.ok()) return fail(bytes.status());
    const std::string path = LayerIsoPath(dir, l.class_name, l.generation);
    if (Status s = WriteFileAtomic(path, *bytes); !s.ok()) return fail(s);
    view.paths[l.source_path] = path;
    layers.push_back({r.vm, l.class_name, l.priority, l.generation, l.origin, path, l.device, l.changed_at_ms,
                      l.reason, l.digest});
  }
  for (const auto& l : layers) {
    if (l.class_name == "infrastructure") infra = &l;
  }
  if (infra == nullptr) return fail(Status::InvalidArgument("it has no infrastructure layer"));
  for (size_t i = 0; i < r.disks.size(); ++i) {
    const auto& d = r.disks[i];
    const std::string path = dir + "/disk-" + std::to_string(i) + "." + d.format;
    if (Status s = CreateDiskImage(path, d.format, d.virtual_size); !s.ok()) return fail(s);
    view.paths[d.source_path] = path;
  }
  if (!r.serial_log.empty()) view.paths[r.serial_log] = dir + "/serial.log";
  // Its NICs on tern networks: this host's switches serve their ports before the VM resumes here.
  if (!r.net_ports.empty()) {
    if (networks_ == nullptr) {
      return fail(Status::FailedPrecondition("host " + config_.host_name + " does not serve tern networks"));
    }
    std::vector<NicRequest> nics;
    for (const auto& p : r.net_ports) nics.push_back({p.network, p.mac});
    auto ports = networks_->OpenVmPorts(r.vm, nics);
    if (!ports.ok()) return fail(ports.status());
    for (size_t i = 0; i < ports->size(); ++i) {
      const auto& p = (*ports)[i];
      view.net_ports.push_back({r.net_ports[i].network, r.vm, p.mac, p.switch_port, p.qemu_port, true});
    }
  }
  // The next infrastructure image is ready before the VM is: nothing is built on the critical path.
  if (config_.recontextualize) {
    if (auto p = recontext_.Prebuild(r.vm, infra->generation); !p.ok()) return fail(p.status());
  }
  const int64_t now = now_ms_();
  store::VmRecord rec{
      r.vm, r.uuid, config_.host_name, "incoming", r.manifest_source, r.instance_id, r.created_at_ms, now};
  if (Status s = store_.InsertVm(rec, layers); !s.ok()) return fail(s);
  (void)store_.AppendEvent({0, r.vm, now, "incoming",
                            "from " + r.from_host + " (infrastructure g" +
                                std::to_string(infra->generation + 1) + " built ahead)"});
  spdlog::info("prepared for incoming vm {} from {}", r.vm, r.from_host);
  return view;
}

Status HostVmService::AbortIncoming(const std::string& name) {
  std::lock_guard lock(deploy_mu_);
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(name));
  if (rec.state != "incoming") {
    return Status::FailedPrecondition("vm '" + name + "' is " + rec.state + " on " + config_.host_name +
                                      ", not an incoming migration");
  }
  if (auto live = hypervisor_.Lookup(name); live.ok() && live->active) {
    return Status::FailedPrecondition("vm '" + name + "' already runs on " + config_.host_name);
  }
  recontext_.ForgetPrebuilt(name);
  RemoveVmDir(config_.data_dir + "/vms/" + name);
  if (networks_ != nullptr) (void)networks_->CloseVmPorts(name);
  TERN_RETURN_IF_ERROR(store_.DeleteVm(name));
  spdlog::info("dropped the preparation for incoming vm {}", name);
  return Status::Ok();
}

}  // namespace tern::daemon
