#include "daemon/ternd.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/files.h"
#include "virt/domain_type_probe.h"
#include "virt/libvirt_hypervisor.h"

namespace tern::daemon {

namespace {
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Result<std::unique_ptr<Ternd>> Ternd::Start(const DaemonConfig& config) {
  std::unique_ptr<Ternd> t(new Ternd());  // NOLINT(cppcoreguidelines-owning-memory): private constructor
  TERN_RETURN_IF_ERROR(MakeDirs(config.data_dir + "/vms"));
  TERN_ASSIGN_OR_RETURN(t->store_, store::StateStore::Open(config.data_dir + "/state.db"));
  TERN_ASSIGN_OR_RETURN(auto decision,
                        virt::ChooseDomainType(config.domain_type, config.probe_kernel, config.probe_initrd));
  spdlog::info("host {}: domain type {} ({})", config.host_name, decision.domain_type, decision.reason);
  TERN_ASSIGN_OR_RETURN(t->hypervisor_, virt::ConnectLibvirt({config.libvirt_uri}));
  t->service_ = std::make_unique<HostVmService>(config, *t->hypervisor_, *t->store_, decision.domain_type,
                                                decision.reason, NowMs);
  HostVmService* svc = t->service_.get();
  t->hypervisor_->SetEventHandler([svc](const virt::DomainEvent& e) { svc->OnDomainEvent(e); });
  // tern networks: this host's tern-switch daemons (separate processes, see network_manager.h).
  TERN_ASSIGN_OR_RETURN(t->network_store_, store::NetworkStore::Open(config.data_dir + "/state.db"));
  t->networks_ = std::make_unique<NetworkManager>(config, *t->network_store_, *t->store_, NowMs);
  t->networks_->SetNicAttacher([svc](const std::string& vm, const UdpNic& nic, bool restart) {
    return svc->AttachUdpNic(vm, nic, restart);
  });
  t->service_->SetNetworks(t->networks_.get());
  TERN_RETURN_IF_ERROR(t->networks_->Start());
  TERN_RETURN_IF_ERROR(t->service_->Reconcile());
  t->router_ = std::make_unique<api::Router>(*t->service_);
  t->router_->SetNetService(t->networks_.get());
  t->server_ = std::make_unique<api::HttpServer>(*t->router_);
  TERN_ASSIGN_OR_RETURN(auto addr,
                        api::ParseListenAddress(config.api_listen, config.source + ": api.listen"));
  TERN_RETURN_IF_ERROR(t->server_->Start(addr));
  Ternd* self = t.get();
  t->reconciler_ = std::thread([self] {
    std::unique_lock lock(self->stop_mu_);
    while (!self->stop_cv_.wait_for(lock, std::chrono::seconds(5), [self] { return self->stopping_; })) {
      lock.unlock();
      if (Status s = self->service_->Reconcile(); !s.ok())
        spdlog::warn("periodic reconcile: {}", s.ToString());
      lock.lock();
    }
  });
  spdlog::info("ternd host {} serving the API on {}:{} (libvirt {}, data {})", config.host_name, addr.host,
               t->server_->port(), config.libvirt_uri, config.data_dir);
  return t;
}

Status Ternd::Reload(const DaemonConfig& config) {
  spdlog::info("reloading {}: infrastructure context (other changes need a restart)", config.source);
  return service_->ReloadInfrastructure(config.infrastructure);
}

void Ternd::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (reconciler_.joinable()) reconciler_.join();
  if (server_) server_->Stop();
  if (networks_) networks_->Stop();  // its switch daemons keep forwarding
  if (hypervisor_) hypervisor_->SetEventHandler({});
}

Ternd::~Ternd() {
  Stop();
}

}  // namespace tern::daemon
