// HostVmService: adding a NIC on a tern network to an existing VM (`tern net attach`).
#include <spdlog/spdlog.h>

#include "daemon/host_vm_service.h"

namespace tern::daemon {

Result<bool> HostVmService::AttachUdpNic(const std::string& vm, const UdpNic& nic, bool restart) {
  std::lock_guard lock(deploy_mu_);
  TERN_ASSIGN_OR_RETURN(auto rec, store_.GetVm(vm));
  if (rec.state == "incoming" || rec.state == "deploying") {
    return Status::FailedPrecondition("vm '" + vm + "' is " + rec.state + "; attach it once it runs");
  }
  if (migrations_.IsMigrating(vm)) return Status::FailedPrecondition("vm '" + vm + "' is migrating");
  TERN_ASSIGN_OR_RETURN(auto live, hypervisor_.Lookup(vm));
  if (live.active && !restart) {
    return Status::FailedPrecondition(
        "vm '" + vm +
        "' is running and libvirt cannot hot-plug a UDP interface; attach with --restart (the VM "
        "is destroyed and started again with the new NIC: its guest reboots) or stop the VM first");
  }
  TERN_ASSIGN_OR_RETURN(std::string xml, hypervisor_.MigratableDomainXml(vm));
  TERN_ASSIGN_OR_RETURN(std::string with_nic, AddUdpNic(xml, nic));
  // The new definition applies at the next start; a running VM keeps its old one until then.
  TERN_RETURN_IF_ERROR(hypervisor_.DefineXml(with_nic).WithContext("attach a NIC to " + vm));
  const int64_t now = now_ms_();
  (void)store_.AppendEvent({0, vm, now, "net-attach",
                            "NIC " + nic.mac + " on switch port " + std::to_string(nic.switch_port) +
                                (live.active ? " (restarting the VM)" : " (at the next start)")});
  if (!live.active) return false;
  TERN_RETURN_IF_ERROR(hypervisor_.Destroy(vm).WithContext("attach: restart " + vm));
  if (Status s = hypervisor_.Start(vm); !s.ok()) {
    // Back to the definition it ran with, so that it runs again as before.
    spdlog::error("vm {} does not start with its new NIC ({}); restoring its previous definition", vm,
                  s.ToString());
    (void)hypervisor_.DefineXml(xml);
    Status again = hypervisor_.Start(vm);
    return s.WithContext(
        "attach: start " + vm + " with the new NIC" +
        (again.ok() ? " (it runs again without it)" : " (and again without it: " + again.message() + ")"));
  }
  (void)store_.UpdateVmState(vm, "running", now_ms_());
  spdlog::info("vm {} restarted with a NIC on switch port {}", vm, nic.switch_port);
  return true;
}

}  // namespace tern::daemon
