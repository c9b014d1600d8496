// HostVmService: ternd's host role behind the API — deploys VMs with their context layers on this host's
// hypervisor, records them in the state store, follows their lifecycle events, and removes them again.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/vm_service.h"
#include "daemon/daemon_config.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::daemon {

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

  // Lifecycle events of this host's domains (called on the hypervisor's event thread).
  void OnDomainEvent(const virt::DomainEvent& event);
  // On start: brings every recorded VM's state in line with what the hypervisor reports.
  Status Reconcile();

 private:
  Result<api::VmView> View(const store::VmRecord& vm);
  void RemoveVmDir(const std::string& vm_dir);

  DaemonConfig config_;
  virt::Hypervisor& hypervisor_;
  store::StateStore& store_;
  std::string domain_type_;
  std::string domain_type_reason_;
  std::function<int64_t()> now_ms_;
  std::mutex deploy_mu_;  // deploys and destroys of this host run one at a time
};

// A random RFC 4122 version-4 UUID.
std::string RandomUuid();

}  // namespace tern::daemon
