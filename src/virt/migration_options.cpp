// ValidateMigrationOptions (declared in hypervisor.h): pure checks of MigrationOptions.
#include "virt/hypervisor.h"

namespace tern::virt {

Status ValidateMigrationOptions(const std::string& name, const MigrationOptions& opts) {
  const std::string what = "cannot migrate domain '" + name + "': ";
  if (opts.dest_uri.empty()) return Status::InvalidArgument(what + "no destination URI");
  if (opts.disks_port < 0 || opts.disks_port > 65535)
    return Status::InvalidArgument(what + "disks_port " + std::to_string(opts.disks_port) +
                                   " is not a TCP port");
  if (opts.parallel_connections < 0 || opts.parallel_connections > 255)
    return Status::InvalidArgument(what + "parallel_connections " +
                                   std::to_string(opts.parallel_connections) + " is outside 0..255");
  const bool nbd_override = opts.disks_port != 0 || !opts.disks_uri.empty();
  if (nbd_override && !opts.copy_storage_all)
    return Status::InvalidArgument(what + "disks_port and disks_uri apply only with copy_storage_all");
  if (opts.disks_port != 0 && !opts.disks_uri.empty())
    return Status::InvalidArgument(what +
                                   "disks_port and disks_uri exclude each other (the URI carries the port)");
  if (!opts.disks_uri.empty() && opts.disks_uri.rfind("tcp://", 0) != 0 &&
      opts.disks_uri.rfind("unix://", 0) != 0)
    return Status::InvalidArgument(what + "disks_uri '" + opts.disks_uri + "' is neither tcp:// nor unix://");
  return Status::Ok();
}

}  // namespace tern::virt
