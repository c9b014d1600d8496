// MigrationCoordinator: the source side of a live migration between hosts of a site. It asks the
// destination's ternd to prepare (copies of the context images, empty disks, the next infrastructure image
// built ahead), moves the VM with libvirt (peer-to-peer, disks copied), and on success records where the VM
// went; on any failure the destination is told to drop what it prepared and the VM keeps running here.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/types.h"
#include "daemon/daemon_config.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::daemon {

class NetworkManager;

class MigrationCoordinator {
 public:
  MigrationCoordinator(const DaemonConfig& config, virt::Hypervisor& hypervisor, store::StateStore& store,
                       std::function<int64_t()> now_ms);
  ~MigrationCoordinator();  // waits for running migrations

  // Checks everything that can be checked up front (refusals change nothing), then migrates in the
  // background.
  Result<api::MigrationView> Start(const std::string& vm, const std::string& to_host);
  Result<api::MigrationView> Get(const std::string& id);
  bool IsMigrating(const std::string& vm);
  // tern networks: the destination opens the VM's switch ports before it arrives, the destination XML moves
  // its UDP NICs onto them, and this host closes its own once the VM has left (kept on failure).
  void SetNetworks(NetworkManager* networks) { networks_ = networks; }

 private:
  struct Job {
    api::MigrationView view;
    std::thread thread;
  };
  void Run(const std::string& id, const PeerHost& peer);
  void Update(const std::string& id, const std::function<void(api::MigrationView&)>& change);
  Result<api::IncomingRequest> BuildIncoming(const std::string& vm, const std::string& xml);

  DaemonConfig config_;
  virt::Hypervisor& hypervisor_;
  store::StateStore& store_;
  std::function<int64_t()> now_ms_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;
  std::map<std::string, std::string> active_;  // vm -> migration id
  uint64_t next_id_ = 1;
  NetworkManager* networks_ = nullptr;
};

// The virtual size in bytes of a disk image (qemu-img info, readable while the VM runs).
Result<uint64_t> DiskVirtualSize(const std::string& path);
// Creates an empty image of that size and format (qemu-img create).
Status CreateDiskImage(const std::string& path, const std::string& format, uint64_t virtual_size);

}  // namespace tern::daemon
