// Recontextualizer: keeps each running VM's context layers what they should be on this host. On arrival
// (after a migration, also one tern did not start), on a changed host configuration, after a restart, or on
// demand, it rebuilds a class's layer as the next generation and swaps it in (LayerSwap), then records the
// layer, the timings and the context lag, and updates the domain's tern metadata.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "context/types.h"
#include "recontext/layer_swap.h"
#include "recontext/vm_metadata.h"
#include "store/state_store.h"
#include "virt/hypervisor.h"

namespace tern::recontext {

struct HostContext {
  std::string host_name;
  std::string data_dir;
  context::ContextClass infrastructure;
};

struct SwapOutcome {
  std::string class_name;
  uint64_t generation = 0;
  SwapTimings timings;
  double lag_ms = -1;  // triggering event received -> new media inserted; -1 when there was no event
  std::string reason;
};

// "infrastructure g3 (migration): resolve ..., lag 74.0 ms"
std::string FormatOutcome(const SwapOutcome& o);

class Recontextualizer {
 public:
  Recontextualizer(virt::Hypervisor& hypervisor, store::StateStore& store, HostContext host,
                   std::function<int64_t()> now_ms);

  void SetHost(HostContext host);  // a reloaded configuration
  HostContext host() const;

  // Records a running tern VM this host does not know yet (it arrived while nobody watched, or by a migration
  // tern did not start) from its domain metadata. NotFound when the domain is not a tern VM.
  Status Adopt(const std::string& vm);

  // Makes the VM's infrastructure layer the one this host gives; nothing happens when it already is.
  // event_at: when the triggering event was received (for the context lag).
  Result<std::optional<SwapOutcome>> EnsureInfrastructure(
      const std::string& vm, const std::string& reason,
      std::optional<std::chrono::system_clock::time_point> event_at = std::nullopt);

  // Rebuilds one class as the next generation and swaps it in, even when its content did not change
  // (`tern vm recontext`). Non-infrastructure classes are rebuilt from the VM's manifest file.
  Result<SwapOutcome> Rebuild(const std::string& vm, const std::string& class_name,
                              const std::string& reason);

  // Builds the next infrastructure image of a VM that is about to arrive, so that nothing is built on the
  // critical path. Returns its path.
  Result<std::string> Prebuild(const std::string& vm, uint64_t current_generation);
  void ForgetPrebuilt(const std::string& vm);

  // Writes the VM's records into its domain's metadata (after any change of its layers).
  Status SyncMetadata(const std::string& vm);

 private:
  struct Prebuilt {
    std::string path;
    uint64_t generation = 0;
    std::string digest;
  };
  Result<SwapOutcome> SwapClass(const store::VmRecord& vm, const store::LayerRecord& current,
                                const context::ContextClass& cls, const std::string& origin,
                                const std::string& digest, const std::string& reason,
                                std::optional<std::chrono::system_clock::time_point> event_at);
  std::string VmDir(const std::string& vm) const;

  virt::Hypervisor& hypervisor_;
  store::StateStore& store_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex host_mu_;
  HostContext host_;
  std::mutex swap_mu_;  // one swap at a time on this host: events, API calls and reconciliation may race
  std::mutex prebuilt_mu_;
  std::map<std::string, Prebuilt> prebuilt_;
};

}  // namespace tern::recontext
