// Ternd: one running ternd (host role) — state store, hypervisor connection, domain-type probe, event wiring,
// reconciliation and the HTTP API — started from a DaemonConfig and stopped as a whole.
#pragma once

#include <memory>

#include "api/http_server.h"
#include "api/router.h"
#include "daemon/daemon_config.h"
#include "daemon/host_vm_service.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::daemon {

class Ternd {
 public:
  static Result<std::unique_ptr<Ternd>> Start(const DaemonConfig& config);
  ~Ternd();
  void Stop();
  int api_port() const { return server_ ? server_->port() : 0; }

 private:
  Ternd() = default;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<virt::Hypervisor> hypervisor_;
  std::unique_ptr<HostVmService> service_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::HttpServer> server_;
};

}  // namespace tern::daemon
