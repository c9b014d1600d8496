// Registration of libvirt's C callbacks (lifecycle, job completed, connection closed) that feed an EventSink.
#pragma once

#include <memory>

#include "core/status.h"
#include "virt/libvirt_connection.h"

namespace tern::virt {

// Registers LIFECYCLE and JOB_COMPLETED callbacks for all domains plus the close callback on `session`'s
// connection; ids are recorded in the session so that ~Session deregisters them.
Status RegisterCallbacks(Session& session, const std::shared_ptr<EventSink>& sink, const std::string& uri);

// The close callback's function (needed to unregister it).
void OnConnectionClosed(virConnectPtr conn, int reason, void* opaque);

}  // namespace tern::virt
