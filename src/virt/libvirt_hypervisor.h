// The libvirt implementation of the Hypervisor port: connection, reconnection, event thread, migration.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "virt/hypervisor.h"

namespace tern::virt {

struct LibvirtOptions {
  std::string uri;  // e.g. qemu:///system or qemu:///system?socket=/run/x/libvirt-sock
  std::chrono::milliseconds reconnect_interval{500};
};

// Connects (Unavailable naming the URI when libvirtd cannot be reached). Starts the process-wide libvirt
// event loop once, and one thread per port that delivers events and re-connects after a libvirtd restart
// (virConnectRegisterCloseCallback), re-registering event callbacks. Calls made while disconnected try to
// reconnect once before failing with Unavailable.
Result<std::unique_ptr<Hypervisor>> ConnectLibvirt(const LibvirtOptions& opts);

}  // namespace tern::virt
