#include "daemon/migration_coordinator.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/api_client.h"
#include "core/base64.h"
#include "core/files.h"
#include "core/subprocess.h"
#include "daemon/domain_files.h"
#include "daemon/network_manager.h"
#include "daemon/nic_xml.h"

namespace tern::daemon {

Result<uint64_t> DiskVirtualSize(const std::string& path) {
  TERN_ASSIGN_OR_RETURN(auto out, RunProcess({"qemu-img", "info", "--force-share", "--output=json", path}));
  if (out.exit_code != 0) return Status::IoError("qemu-img info '" + path + "': " + out.err);
  const auto j = nlohmann::json::parse(out.out, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("virtual-size") || !j["virtual-size"].is_number_unsigned()) {
    return Status::Internal("qemu-img info '" + path + "' printed no virtual-size");
  }
  return j["virtual-size"].get<uint64_t>();
}

Status CreateDiskImage(const std::string& path, const std::string& format, uint64_t virtual_size) {
  if (format != "qcow2" && format != "raw") {
    return Status::InvalidArgument("disk '" + path + "': format '" + format + "' is not qcow2 or raw");
  }
  TERN_ASSIGN_OR_RETURN(
      auto out, RunProcess({"qemu-img", "create", "-q", "-f", format, path, std::to_string(virtual_size)}));
  if (out.exit_code != 0) return Status::IoError("qemu-img create '" + path + "': " + out.err);
  return Status::Ok();
}

MigrationCoordinator::MigrationCoordinator(const DaemonConfig& config, virt::Hypervisor& hypervisor,
                                           store::StateStore& store, std::function<int64_t()> now_ms)
    : config_(config), hypervisor_(hypervisor), store_(store), now_ms_(std::move(now_ms)) {}

MigrationCoordinator::~MigrationCoordinator() {
  std::map<std::string, std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    jobs.swap(jobs_);
  }
  for (auto& [id, job] : jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
}

bool MigrationCoordinator::IsMigrating(const std::string& vm) {
  std::lock_guard lock(mu_);
  return active_.count(vm) != 0;
}

Result<api::MigrationView> MigrationCoordinator::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end())
    return Status::NotFound("migration '" + id + "' is not known on host " + config_.host_name);
  return it->second->view;
}

void MigrationCoordinator::Update(const std::string& id,
                                  const std::function<void(api::MigrationView&)>& change) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it != jobs_.end()) change(it->second->view);
}

Result<api::MigrationView> MigrationCoordinator::Start(const std::string& vm, const std::string& to_host) {
  if (to_host == config_.host_name) {
    return Status::InvalidArgument("vm '" + vm + "' is already on host " + to_host);
  }
  const PeerHost* peer = nullptr;
  std::string known;
  for (const auto& p : config_.peers) {
    if (p.name == to_host) peer = &p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  if (peer == nullptr) {
    return Status::NotFound("host '" + to_host + "' is not a host of this site (known: " +
                            (known.empty() ? "none; add peers to " + config_.source : known) + ")");
  }
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  if (rec.state == "incoming" || rec.state == "deploying") {
    return Status::FailedPrecondition("vm '" + vm + "' is " + rec.state + "; migrate it once it runs");
  }
  TERN_ASSIGN_OR_RETURN(auto info, hypervisor_.Lookup(vm));
  if (!info.active) return Status::FailedPrecondition("vm '" + vm + "' is not running (" + info.state + ")");
  std::lock_guard lock(mu_);
  if (auto a = active_.find(vm); a != active_.end()) {
    return Status::FailedPrecondition("vm '" + vm + "' is already migrating (migration " + a->second + ")");
  }
  const std::string id = config_.host_name + "-" + std::to_string(next_id_++);
  auto job = std::make_unique<Job>();
  job->view.id = id;
  job->view.vm = vm;
  job->view.from = config_.host_name;
  job->view.to = to_host;
  job->view.state = "preparing";
  active_[vm] = id;
  const api::MigrationView view = job->view;
  job->thread = std::thread([this, id, p = *peer] { Run(id, p); });
  jobs_[id] = std::move(job);
  return view;
}

Result<api::IncomingRequest> MigrationCoordinator::BuildIncoming(const std::string& vm,
                                                                 const std::string& xml) {
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  TERN_ASSIGN_OR_RETURN(auto layers, store_.ListLayers(vm));
  api::IncomingRequest r;
  r.vm = vm;
  r.uuid = rec.uuid;
  r.instance_id = rec.instance_id;
  r.manifest_source = rec.manifest_source;
  r.created_at_ms = rec.created_at_ms;
  r.from_host = config_.host_name;
  r.serial_log = SerialLogPath(xml);
  for (const auto& l : layers) {
    TERN_ASSIGN_OR_RETURN(std::string bytes, ReadFile(l.iso_path));
    r.layers.push_back({l.class_name, l.priority, l.generation, l.origin, l.target_dev, l.digest, l.iso_path,
                        Base64Encode(bytes), l.changed_at_ms, l.reason});
  }
  for (const auto& d : ListFileDisks(xml)) {
    TERN_ASSIGN_OR_RETURN(uint64_t size, DiskVirtualSize(d.path));
    r.disks.push_back({d.path, d.format.empty() ? "raw" : d.format, size});
  }
  if (networks_ != nullptr) {
    TERN_ASSIGN_OR_RETURN(r.net_ports, networks_->VmPorts(vm));
  }
  return r;
}

void MigrationCoordinator::Run(const std::string& id, const PeerHost& peer) {
  std::string vm;
  {
    std::lock_guard lock(mu_);
    vm = jobs_.at(id)->view.vm;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto fail = [&](const Status& s, bool prepared, std::unique_ptr<api::ApiClient>* client) {
    if (prepared && client != nullptr) {
      if (Status a = (*client)->AbortIncoming(vm); !a.ok()) {
        spdlog::warn("migration {}: destination {} did not drop what it prepared: {}", id, peer.name,
                     a.ToString());
      }
    }
    auto still = hypervisor_.Lookup(vm);
    const std::string where =
        still.ok() && still->active
            ? "it keeps running on " + config_.host_name
            : "its state here: " + (still.ok() ? still->state : still.status().message());
    spdlog::warn("migration {} of {} to {} failed: {} ({})", id, vm, peer.name, s.ToString(), where);
    (void)store_.AppendEvent(
        {0, vm, now_ms_(), "migrate-failed", "to " + peer.name + ": " + s.message() + "; " + where});
    Update(id, [&](api::MigrationView& v) {
      v.state = "failed";
      v.error = s.message() + "; " + where;
    });
    std::lock_guard lock(mu_);
    active_.erase(vm);
  };

  auto xml = hypervisor_.MigratableDomainXml(vm);
  if (!xml.ok()) return fail(xml.status(), false, nullptr);
  auto request = BuildIncoming(vm, *xml);
  if (!request.ok()) return fail(request.status(), false, nullptr);
  auto client = api::ApiClient::Create(peer.api);
  if (!client.ok()) return fail(client.status(), false, nullptr);
  auto prepared = (*client)->PrepareIncoming(*request);
  if (!prepared.ok())
    return fail(prepared.status().WithContext("destination " + peer.name + " refused"), false, nullptr);
  (void)store_.AppendEvent(
      {0, vm, now_ms_(), "migrate", "to " + peer.name + " started (migration " + id + ")"});

  Update(id, [](api::MigrationView& v) { v.state = "migrating"; });
  virt::MigrationOptions opts;
  opts.dest_uri = peer.libvirt_uri;
  opts.dest_xml = RewritePaths(*xml, prepared->paths);
  if (!request->net_ports.empty()) {
    // The VM's NICs move onto the ports the destination's switches opened for them.
    if (prepared->net_ports.size() != request->net_ports.size()) {
      return fail(Status::FailedPrecondition(
                      "destination " + peer.name + " opened " + std::to_string(prepared->net_ports.size()) +
                      " of the VM's " + std::to_string(request->net_ports.size()) + " tern network ports"),
                  true, &*client);
    }
    std::vector<UdpNicMove> moves;
    for (size_t i = 0; i < request->net_ports.size(); ++i) {
      const auto& from = request->net_ports[i];
      const auto& to = prepared->net_ports[i];
      moves.push_back({from.local_port, from.remote_port, to.local_port, to.remote_port});
    }
    auto moved = MoveUdpNics(opts.dest_xml, moves);
    if (!moved.ok()) return fail(moved.status(), true, &*client);
    opts.dest_xml = std::move(moved).value();
  }
  for (const auto& [from, to] : prepared->paths) {
    if (opts.dest_xml.find(to) == std::string::npos)
      spdlog::warn("migration {}: {} is not in the domain XML", id, from);
  }
  opts.copy_storage_all = !request->disks.empty();
  opts.persistent = true;
  opts.undefine_source = true;
  opts.on_progress = [&](const virt::MigrationProgress& p) {
    Update(id, [&](api::MigrationView& v) {
      v.data_total = p.data_total;
      v.data_processed = p.data_processed;
      v.data_remaining = p.data_remaining;
      v.elapsed_ms = p.elapsed_ms;
    });
  };
  auto result = hypervisor_.Migrate(vm, opts);
  if (!result.ok()) return fail(result.status(), true, &*client);

  auto rec = store_.GetVm(vm);
  const int64_t now = now_ms_();
  if (Status s = store_.RecordDeparture({vm, rec.ok() ? rec->uuid : "", peer.name, now}); !s.ok()) {
    spdlog::error("migration {}: {} left but its departure was not recorded: {}", id, vm, s.ToString());
  }
  std::error_code ec;
  std::filesystem::remove_all(config_.data_dir + "/vms/" + vm, ec);
  if (networks_ != nullptr) {
    if (Status s = networks_->CloseVmPorts(vm); !s.ok())
      spdlog::warn("migration {}: ports of {} not closed: {}", id, vm, s.ToString());
  }
  const auto wall =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("migration {}: {} moved to {} in {} ms (downtime {} ms, {} bytes)", id, vm, peer.name,
               result->total_ms, result->downtime_ms, result->bytes);
  Update(id, [&](api::MigrationView& v) {
    v.state = "succeeded";
    v.total_ms = result->total_ms;
    v.downtime_ms = result->downtime_ms;
    v.bytes = result->bytes;
    v.elapsed_ms = static_cast<uint64_t>(wall.count());
  });
  std::lock_guard lock(mu_);
  active_.erase(vm);
}

}  // namespace tern::daemon
