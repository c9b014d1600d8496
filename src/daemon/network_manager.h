// NetworkManager: ternd's side of tern networks (seed 002's distributed virtual switch). It keeps the site's
// networks in the state store, runs one tern-switch daemon per network on this host (separate processes that
// outlive ternd, supervised and restarted by it), creates and deletes networks on every host of the site, and
// gives VM NICs their UDP ports on the switches: at deploy, on `tern net attach`, and on both ends of a live
// migration.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/net_service.h"
#include "daemon/daemon_config.h"
#include "daemon/deploy_plan.h"
#include "daemon/nic_xml.h"
#include "daemon/switch_launch.h"
#include "daemon/switch_process.h"
#include "daemon/switch_status.h"
#include "store/network_store.h"
#include "store/state_store.h"

namespace tern::daemon {

// A VM NIC that asks for a port: the network and the NIC's MAC.
struct NicRequest {
  std::string network;
  std::string mac;
};

class NetworkManager : public api::NetService {
 public:
  // Adds a UDP NIC to a VM's definition (restarting it when asked and needed); returns whether it restarted.
  // HostVmService provides it (it serializes VM changes and knows about migrations).
  using NicAttacher = std::function<Result<bool>(const std::string& vm, const UdpNic& nic, bool restart)>;

  NetworkManager(const DaemonConfig& config, store::NetworkStore& networks, store::StateStore& vms,
                 std::function<int64_t()> now_ms);
  ~NetworkManager() override;  // stops supervising; the switch daemons keep running

  // Starts (or adopts) the switch of every recorded network, drops ports of VMs this host no longer has, and
  // supervises the switches from then on.
  Status Start();
  void Stop();
  void SetNicAttacher(NicAttacher attacher) { attacher_ = std::move(attacher); }

  // --- api::NetService ---
  Result<api::NetworkView> CreateNetwork(const api::NetworkCreateRequest& request) override;
  Result<std::vector<api::NetworkView>> ListNetworks() override;
  Result<api::NetworkView> ShowNetwork(const std::string& name) override;
  Result<api::NetworkAttachView> AttachVm(const std::string& network,
                                          const api::NetworkAttachRequest& request) override;
  Status DeleteNetwork(const std::string& name) override;
  Result<api::NetworkView> AddPeerNetwork(const api::NetworkPeerRequest& request) override;
  Status RemovePeerNetwork(const std::string& name) override;

  // --- for the VM lifecycle ---
  // Records ports for the NICs (in order) and returns once every one is open in its network's switch, so that
  // a VM started (or resumed) on them is connected from its first frame. Nothing is left behind on failure.
  Result<std::vector<TernNicPorts>> OpenVmPorts(const std::string& vm, const std::vector<NicRequest>& nics);
  // Removes all of the VM's ports (destroyed, migrated away, failed deploy or preparation).
  Status CloseVmPorts(const std::string& vm);
  Result<std::vector<api::NetPortView>> VmPorts(const std::string& vm);

 private:
  struct Switch {
    std::unique_ptr<SwitchProcess> process;
    int restarts = 0;
    std::chrono::steady_clock::time_point next_restart{};
    std::string last_exit;
  };
  Status AddLocalLocked(const store::NetworkRecord& record);
  Status RemoveLocalLocked(const std::string& name);
  Status EnsureSwitchLocked(const store::NetworkRecord& record);
  // Writes the network's ports file from the store and signals its switch.
  Status SyncPortsLocked(const std::string& network);
  Status WaitForPortsLocked(const std::string& network, const std::vector<store::NetPortRecord>& ports);
  Result<SwitchStatus> ReadStatus(const std::string& network);
  Result<api::NetworkView> ViewLocked(const store::NetworkRecord& record);
  Result<int> PickNetworkPortLocked();
  void Supervise();
  std::vector<std::string> PeerAddresses() const;

  DaemonConfig config_;
  store::NetworkStore& networks_;
  store::StateStore& vms_;
  std::function<int64_t()> now_ms_;
  std::string binary_;
  NicAttacher attacher_;
  std::mutex mu_;  // switches_, and every change to the network records and ports
  std::map<std::string, Switch> switches_;
  std::thread supervisor_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// 32 random bytes (getrandom) as 64 lowercase hex digits.
Result<std::string> NewNetworkKeyHex();

}  // namespace tern::daemon
