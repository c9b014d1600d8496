// RAII owners of libvirt handles and the mapping of libvirt errors to tern Status values (internal to
// src/virt).
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <string_view>

#include "core/status.h"

namespace tern::virt {

struct ConnectCloser {
  void operator()(virConnectPtr conn) const { virConnectClose(conn); }
};
struct DomainFreer {
  void operator()(virDomainPtr dom) const { virDomainFree(dom); }
};
using ConnectHandle = std::unique_ptr<virConnect, ConnectCloser>;
using DomainHandle = std::unique_ptr<virDomain, DomainFreer>;

// Pure: the StatusCode for a virErrorNumber and virErrorDomain (VIR_ERR_NO_DOMAIN -> kNotFound, a system
// error in the RPC layer such as "unable to connect to server" -> kUnavailable, ...).
StatusCode MapLibvirtErrorCode(int vir_error_code, int vir_error_domain = 0);

// The calling thread's last libvirt error as a Status: "<what>: <virGetLastErrorMessage()>", code mapped with
// MapLibvirtErrorCode. Call it right after the failing libvirt call (any later API call resets the error).
Status LastLibvirtError(std::string_view what);

}  // namespace tern::virt
