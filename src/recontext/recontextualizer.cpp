#include "recontext/recontextualizer.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "context/iso_builder.h"
#include "context/manifest.h"
#include "core/files.h"
#include "recontext/layer_digest.h"

namespace tern::recontext {

namespace {
constexpr const char* kInfrastructure = "infrastructure";

std::string IsoPath(const std::string& dir, const std::string& cls, uint64_t generation) {
  return dir + "/" + cls + "-g" + std::to_string(generation) + ".iso";
}
}  // namespace

std::string FormatOutcome(const SwapOutcome& o) {
  std::string out =
      o.class_name + " g" + std::to_string(o.generation) + " (" + o.reason + "): " + FormatTimings(o.timings);
  if (o.lag_ms >= 0) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), ", lag %.1f ms", o.lag_ms);
    out += buf;
  }
  return out;
}

Recontextualizer::Recontextualizer(virt::Hypervisor& hypervisor, store::StateStore& store, HostContext host,
                                   std::function<int64_t()> now_ms)
    : hypervisor_(hypervisor), store_(store), now_ms_(std::move(now_ms)), host_(std::move(host)) {}

void Recontextualizer::SetHost(HostContext host) {
  std::lock_guard lock(host_mu_);
  host_ = std::move(host);
}

HostContext Recontextualizer::host() const {
  std::lock_guard lock(host_mu_);
  return host_;
}

std::string Recontextualizer::VmDir(const std::string& vm) const {
  return host().data_dir + "/vms/" + vm;
}

Status Recontextualizer::Adopt(const std::string& vm) {
  TERN_ASSIGN_OR_RETURN(auto values, hypervisor_.GetTernMetadata(vm));
  TERN_ASSIGN_OR_RETURN(auto meta, DecodeVmMetadata(vm, values));
  TERN_ASSIGN_OR_RETURN(auto info, hypervisor_.Lookup(vm));
  const int64_t now = now_ms_();
  const std::string from = meta.vm.host;
  meta.vm.uuid = info.uuid;
  meta.vm.host = host().host_name;
  meta.vm.state = info.state;
  meta.vm.updated_at_ms = now;
  TERN_RETURN_IF_ERROR(MakeDirs(VmDir(vm)));
  TERN_RETURN_IF_ERROR(store_.InsertVm(meta.vm, meta.layers));
  (void)store_.AppendEvent({0, vm, now, "adopt",
                            "arrived from " + (from.empty() ? "an unknown host" : from) +
                                " (migration not started by this site's tern)"});
  spdlog::info("adopted vm {} (from {})", vm, from);
  return Status::Ok();
}

Result<std::string> Recontextualizer::Prebuild(const std::string& vm, uint64_t current_generation) {
  const HostContext h = host();
  const std::string origin = "host:" + h.host_name;
  TERN_ASSIGN_OR_RETURN(std::string digest, LayerDigest(h.infrastructure, origin));
  const uint64_t gen = current_generation + 1;
  const std::string dir = h.data_dir + "/vms/" + vm;
  TERN_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string path = IsoPath(dir, kInfrastructure, gen);
  context::LayerMetadata meta{kInfrastructure, h.infrastructure.priority, gen, origin};
  TERN_RETURN_IF_ERROR(context::WriteLayerIso(h.infrastructure, meta, {}, path));
  std::lock_guard lock(prebuilt_mu_);
  prebuilt_[vm] = {path, gen, digest};
  return path;
}

void Recontextualizer::ForgetPrebuilt(const std::string& vm) {
  std::lock_guard lock(prebuilt_mu_);
  prebuilt_.erase(vm);
}

Status Recontextualizer::SyncMetadata(const std::string& vm) {
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  TERN_ASSIGN_OR_RETURN(auto layers, store_.ListLayers(vm));
  return hypervisor_.SetTernMetadata(vm, EncodeVmMetadata(rec, layers));
}

Result<std::optional<SwapOutcome>> Recontextualizer::EnsureInfrastructure(
    const std::string& vm, const std::string& reason,
    std::optional<std::chrono::system_clock::time_point> event_at) {
  std::lock_guard lock(swap_mu_);
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  TERN_ASSIGN_OR_RETURN(auto layers, store_.ListLayers(vm));
  const store::LayerRecord* infra = nullptr;
  for (const auto& l : layers) {
    if (l.class_name == kInfrastructure) infra = &l;
  }
  if (infra == nullptr) {
    return Status::FailedPrecondition("vm '" + vm +
                                      "' has no infrastructure layer (its CD-ROM was never made)");
  }
  const HostContext h = host();
  const std::string origin = "host:" + h.host_name;
  TERN_ASSIGN_OR_RETURN(std::string digest, LayerDigest(h.infrastructure, origin));
  if (infra->origin == origin && infra->digest == digest) return std::optional<SwapOutcome>();
  TERN_ASSIGN_OR_RETURN(auto outcome,
                        SwapClass(rec, *infra, h.infrastructure, origin, digest, reason, event_at));
  return std::optional<SwapOutcome>(outcome);
}

Result<SwapOutcome> Recontextualizer::Rebuild(const std::string& vm, const std::string& class_name,
                                              const std::string& reason) {
  std::lock_guard lock(swap_mu_);
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  TERN_ASSIGN_OR_RETURN(auto layers, store_.ListLayers(vm));
  const store::LayerRecord* current = nullptr;
  std::string known;
  for (const auto& l : layers) {
    if (l.class_name == class_name) current = &l;
    known += (known.empty() ? "" : ", ") + l.class_name;
  }
  if (current == nullptr) {
    return Status::NotFound("vm '" + vm + "' has no context class '" + class_name + "' (it has: " + known +
                            ")");
  }
  if (class_name == kInfrastructure) {
    const HostContext h = host();
    const std::string origin = "host:" + h.host_name;
    TERN_ASSIGN_OR_RETURN(std::string digest, LayerDigest(h.infrastructure, origin));
    return SwapClass(rec, *current, h.infrastructure, origin, digest, reason, std::nullopt);
  }
  if (class_name == "service") {
    return Status::FailedPrecondition("vm '" + vm +
                                      "': the service layer is the cloud-init seed fixed at deploy; "
                                      "recontextualize another class");
  }
  // Other classes come from the manifest; re-reading it picks up what its owner changed.
  TERN_ASSIGN_OR_RETURN(auto manifest, context::ParseManifestFile(rec.manifest_source));
  for (const auto& cls : manifest.classes) {
    if (cls.name != class_name) continue;
    const std::string origin = "manifest:" + manifest.source;
    TERN_ASSIGN_OR_RETURN(std::string digest, LayerDigest(cls, origin));
    return SwapClass(rec, *current, cls, origin, digest, reason, std::nullopt);
  }
  return Status::NotFound(rec.manifest_source + ": no context class '" + class_name + "' any more");
}

Result<SwapOutcome> Recontextualizer::SwapClass(
    const store::VmRecord& vm, const store::LayerRecord& current, const context::ContextClass& cls,
    const std::string& origin, const std::string& digest, const std::string& reason,
    std::optional<std::chrono::system_clock::time_point> event_at) {
  const std::string dir = VmDir(vm.name);
  TERN_RETURN_IF_ERROR(MakeDirs(dir));
  const uint64_t gen = current.generation + 1;
  SwapPlan plan;
  plan.vm = vm.name;
  plan.target_dev = current.target_dev;
  plan.bus = BusOfDevice(current.target_dev);
  plan.old_iso = current.iso_path;
  {
    std::lock_guard lock(prebuilt_mu_);
    auto it = prebuilt_.find(vm.name);
    if (cls.name == kInfrastructure && it != prebuilt_.end() && it->second.generation == gen &&
        it->second.digest == digest && FileExists(it->second.path)) {
      plan.new_iso = it->second.path;
    }
    prebuilt_.erase(vm.name);
  }
  if (plan.new_iso.empty()) {
    plan.new_iso = IsoPath(dir, cls.name, gen);
    context::LayerMetadata meta{cls.name, cls.priority, gen, origin};
    plan.build = [cls, meta, path = plan.new_iso] { return context::WriteLayerIso(cls, meta, {}, path); };
  }
  LayerSwap swap(hypervisor_);
  auto timings = swap.Run(plan);
  const int64_t now = now_ms_();
  if (!timings.ok()) {
    (void)store_.AppendEvent(
        {0, vm.name, now, "recontext-failed",
         cls.name + " g" + std::to_string(gen) + " (" + reason + "): " + timings.status().message()});
    if (plan.build) (void)RemoveFile(plan.new_iso);
    return timings.status();
  }
  SwapOutcome out{cls.name, gen, *timings, -1, reason};
  if (event_at) {
    out.lag_ms =
        std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - *event_at).count();
  }
  store::LayerRecord next = current;
  next.generation = gen;
  next.origin = origin;
  next.iso_path = plan.new_iso;
  next.changed_at_ms = now;
  next.reason = reason;
  next.digest = digest;
  TERN_RETURN_IF_ERROR(store_.UpsertLayer(next));
  (void)store_.AppendEvent({0, vm.name, now, "recontext", FormatOutcome(out)});
  if (Status s = SyncMetadata(vm.name); !s.ok())
    spdlog::warn("vm {}: metadata not updated: {}", vm.name, s.ToString());
  // The old image is ours to remove only when it lives in this host's directory for the VM.
  if (current.iso_path.rfind(dir + "/", 0) == 0 && current.iso_path != plan.new_iso)
    (void)RemoveFile(current.iso_path);
  spdlog::info("vm {}: recontextualized {}", vm.name, FormatOutcome(out));
  return out;
}

}  // namespace tern::recontext
