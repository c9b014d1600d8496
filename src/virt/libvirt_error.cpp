#include <libvirt/virterror.h>

#include <string>

#include "virt/libvirt_handles.h"

namespace tern::virt {

StatusCode MapLibvirtErrorCode(int vir_error_code, int vir_error_domain) {
  switch (vir_error_code) {
    case VIR_ERR_OK:
      return StatusCode::kInternal;  // a failure without an error: unexpected
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
      return StatusCode::kNotFound;
    case VIR_ERR_DOM_EXIST:
      return StatusCode::kAlreadyExists;
    case VIR_ERR_OPERATION_INVALID:
      return StatusCode::kFailedPrecondition;
    case VIR_ERR_INVALID_ARG:
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_XML_INVALID_SCHEMA:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_DOMAIN:
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
      return StatusCode::kInvalidArgument;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
      return StatusCode::kUnavailable;
    case VIR_ERR_SYSTEM_ERROR:
      return vir_error_domain == VIR_FROM_RPC || vir_error_domain == VIR_FROM_REMOTE
                 ? StatusCode::kUnavailable
                 : StatusCode::kIoError;
    case VIR_ERR_OPERATION_DENIED:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_ACCESS_DENIED:
      return StatusCode::kPermissionDenied;
    default:
      return StatusCode::kInternal;
  }
}

Status LastLibvirtError(std::string_view what) {
  virErrorPtr err = virGetLastError();
  int code = err != nullptr ? err->code : VIR_ERR_OK;
  int domain = err != nullptr ? err->domain : VIR_FROM_NONE;
  return {MapLibvirtErrorCode(code, domain), std::string(what) + ": " + virGetLastErrorMessage()};
}

}  // namespace tern::virt
