// Ternd: one running ternd (host role) — state store, hypervisor connection, domain-type probe, event wiring,
// reconciliation and the HTTP API — started from a DaemonConfig and stopped as a whole.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/http_server.h"
#include "api/router.h"
#include "daemon/daemon_config.h"
#include "daemon/host_vm_service.h"
#include "daemon/network_manager.h"
#include "store/network_store.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::daemon {

class Ternd {
 public:
  static Result<std::unique_ptr<Ternd>> Start(const DaemonConfig& config);
  ~Ternd();
  void Stop();
  // SIGHUP: re-reads what can change at run time (the infrastructure context) and recontextualizes the VMs
  // here.
  Status Reload(const DaemonConfig& config);
  int api_port() const { return server_ ? server_->port() : 0; }

 private:
  Ternd() = default;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<virt::Hypervisor> hypervisor_;
  std::unique_ptr<HostVmService> service_;
  std::unique_ptr<store::NetworkStore> network_store_;
  std::unique_ptr<NetworkManager> networks_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::HttpServer> server_;
  // Reconciles every few seconds: a swap that failed (libvirtd restarting) is retried, a missed event caught
  // up.
  std::thread reconciler_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace tern::daemon
