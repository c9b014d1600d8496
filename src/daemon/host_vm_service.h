// HostVmService: ternd's host role behind the API — deploys VMs with their context layers on this host's
// hypervisor, records them in the state store, follows their lifecycle events, and removes them again.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/vm_service.h"
#include "daemon/daemon_config.h"
#include "daemon/migration_coordinator.h"
#include "daemon/nic_xml.h"
#include "recontext/recontextualizer.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::daemon {

class NetworkManager;

class HostVmService : public api::VmService {
 public:
  // domain_type / reason: the probe's decision for this host.
  HostVmService(DaemonConfig config, virt::Hypervisor& hypervisor, store::StateStore& store,
                std::string domain_type, std::string domain_type_reason, std::function<int64_t()> now_ms);

  Result<api::HostView> Host() override;
  Result<api::VmView> Deploy(const api::DeployRequest& request) override;
  Result<std::vector<api::VmView>> List() override;
  Result<api::VmView> Show(const std::string& name) override;
  Status Destroy(const std::string& name) override;
  Result<std::vector<api::EventView>> Events(const std::string& name, int limit) override;
  Result<api::RecontextView> Recontext(const std::string& name, const std::string& class_name) override;
  Result<api::MigrationView> Migrate(const std::string& name, const std::string& to_host) override;
  Result<api::MigrationView> GetMigration(const std::string& id) override;
  Result<api::IncomingView> PrepareIncoming(const api::IncomingRequest& request) override;
  Status AbortIncoming(const std::string& name) override;

  // Lifecycle events of this host's domains (called on the hypervisor's event thread): records them, adopts
  // and recontextualizes arriving VMs, and records departures.
  void OnDomainEvent(const virt::DomainEvent& event);
  // On start and periodically: adopts running tern VMs this host does not know, brings every recorded VM's
  // state in line with what the hypervisor reports, and gives every running VM this host's infrastructure
  // layer.
  Status Reconcile();
  // A reloaded configuration (SIGHUP): a changed infrastructure context recontextualizes every VM here.
  Status ReloadInfrastructure(const context::ContextClass& infrastructure);
  // tern networks: VM NICs get their switch ports from `networks` (deploy, migration, destroy). Without it,
  // manifests with `type: tern` NICs are refused.
  void SetNetworks(NetworkManager* networks);
  // `tern net attach`: adds the UDP NIC to the VM's definition. libvirt cannot hot-plug UDP interfaces, so a
  // running VM is restarted (destroyed and started) when `restart` is set and refused otherwise. Returns
  // whether it was restarted. (vm_nic_attach.cpp)
  Result<bool> AttachUdpNic(const std::string& vm, const UdpNic& nic, bool restart);

 private:
  Result<api::VmView> View(const store::VmRecord& vm);
  void RemoveVmDir(const std::string& vm_dir);
  void OnArrival(const virt::DomainEvent& event);
  void EnsureInfrastructureLogged(const std::string& vm, const std::string& reason,
                                  std::optional<std::chrono::system_clock::time_point> event_at);

  DaemonConfig config_;
  virt::Hypervisor& hypervisor_;
  store::StateStore& store_;
  std::string domain_type_;
  std::string domain_type_reason_;
  std::function<int64_t()> now_ms_;
  std::mutex deploy_mu_;  // deploys, destroys, incoming preparations and reconciliation run one at a time
  recontext::Recontextualizer recontext_;
  MigrationCoordinator migrations_;
  NetworkManager* networks_ = nullptr;
};

// A random RFC 4122 version-4 UUID.
std::string RandomUuid();

}  // namespace tern::daemon
