// LayerSwap: replaces the media of one context CD-ROM of a running VM in four timed phases — resolve the
// domain, build the image (skipped when it was built ahead), eject, insert — riding out a libvirtd restart,
// and never leaving the VM without the layer: if the new image cannot be inserted, the old one goes back in.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"
#include "virt/hypervisor.h"

namespace tern::recontext {

struct SwapPlan {
  std::string vm;
  std::string target_dev;
  std::string bus = "scsi";
  std::string old_iso;  // what is in the tray now (re-inserted if the new image cannot be)
  std::string new_iso;
  // Builds new_iso; empty when the image was built ahead of time (phase "build" then takes 0).
  std::function<Status()> build;
};

struct SwapTimings {
  double resolve_ms = 0;
  double build_ms = 0;
  double detach_ms = 0;
  double attach_ms = 0;
  bool prebuilt = false;
  int retries = 0;  // calls repeated because libvirtd was unavailable
  [[nodiscard]] double total_ms() const { return resolve_ms + build_ms + detach_ms + attach_ms; }
};

// "resolve 0.4 ms, build 0.0 ms (prebuilt), detach 41.2 ms, attach 30.1 ms"
std::string FormatTimings(const SwapTimings& t);

class LayerSwap {
 public:
  // retry_window: how long a phase keeps retrying while libvirtd is unavailable (restarting).
  explicit LayerSwap(virt::Hypervisor& hypervisor,
                     std::chrono::milliseconds retry_window = std::chrono::seconds(30))
      : hypervisor_(hypervisor), retry_window_(retry_window) {}

  Result<SwapTimings> Run(const SwapPlan& plan);

 private:
  // Runs `op`, repeating it while it fails with Unavailable, until retry_window has passed.
  Status WithRetry(const std::function<Status()>& op, int& retries);
  virt::Hypervisor& hypervisor_;
  std::chrono::milliseconds retry_window_;
};

}  // namespace tern::recontext
