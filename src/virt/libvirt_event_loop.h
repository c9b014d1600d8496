// The process-wide libvirt event loop: virEventRegisterDefaultImpl once, one thread running
// virEventRunDefaultImpl.
#pragma once

#include "core/status.h"

namespace tern::virt {

// Idempotent and thread-safe; must run before the first virConnectOpen. Also silences libvirt's default
// error printing to stderr (errors are reported through Status values). The thread lives until process exit.
Status EnsureLibvirtEventLoop();

}  // namespace tern::virt
