#include "virt/domain_spec.h"

#include <algorithm>
#include <cctype>

namespace tern::virt {
namespace {

bool OneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

// XML element local name, restricted to ASCII: [A-Za-z_][A-Za-z0-9_.-]*
bool IsXmlName(const std::string& key) {
  if (key.empty()) return false;
  auto first = static_cast<unsigned char>(key[0]);
  if (!std::isalpha(first) && first != '_') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u == '_' || u == '-' || u == '.';
  });
}

bool MachineHasIde(const std::string& machine) {
  return machine == "pc" || machine.rfind("pc-i440fx", 0) == 0;
}

}  // namespace

Status ValidateDomainSpec(const DomainSpec& spec) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("domain '" + spec.name + "': " + what);
  };
  if (spec.name.empty()) return Status::InvalidArgument("domain spec has an empty name");
  if (!OneOf(spec.domain_type, {"kvm", "qemu"}))
    return bad("domain_type '" + spec.domain_type + "' is not kvm|qemu");
  if (spec.memory_mib <= 0) return bad("memory_mib must be positive");
  if (spec.vcpus <= 0) return bad("vcpus must be positive");
  if (spec.kernel.empty() && (!spec.initrd.empty() || !spec.cmdline.empty()))
    return bad("initrd/cmdline given without a kernel");
  for (const auto& disk : spec.disks) {
    if (disk.path.empty()) return bad("disk '" + disk.target_dev + "' has no path");
    if (disk.target_dev.empty()) return bad("disk '" + disk.path + "' has no target_dev");
    if (!OneOf(disk.bus, {"virtio", "scsi", "sata", "ide"}))
      return bad("disk '" + disk.target_dev + "' has unknown bus '" + disk.bus + "'");
  }
  for (const auto& cdrom : spec.cdroms) {
    if (cdrom.target_dev.empty()) return bad("a CD-ROM has no target_dev");
    if (!OneOf(cdrom.bus, {"scsi", "ide", "sata"}))
      return bad("CD-ROM '" + cdrom.target_dev + "' has unknown bus '" + cdrom.bus + "'");
    if (cdrom.bus == "ide" && !MachineHasIde(spec.machine))
      return bad("CD-ROM '" + cdrom.target_dev + "' is on bus ide, which machine '" + spec.machine +
                 "' does not have (use scsi)");
  }
  for (size_t i = 0; i < spec.nics.size(); ++i) {
    const auto& nic = spec.nics[i];
    std::string which = "NIC " + std::to_string(i);
    if (!OneOf(nic.type, {"network", "user", "udp"}))
      return bad(which + " has unknown type '" + nic.type + "' (network|user|udp)");
    if (nic.type == "network" && nic.network.empty()) return bad(which + " has type network but no network");
    if (nic.type == "udp") {
      if (nic.local_port <= 0 || nic.local_port > 65535 || nic.remote_port <= 0 || nic.remote_port > 65535)
        return bad(which + " has type udp but local_port/remote_port are not valid ports");
      if (nic.local_address.empty() || nic.remote_address.empty())
        return bad(which + " has type udp but an empty address");
    }
  }
  for (const auto& [key, value] : spec.metadata) {
    if (!IsXmlName(key))
      return bad("metadata key '" + key + "' is not an XML name ([A-Za-z_][A-Za-z0-9_.-]*)");
  }
  return Status::Ok();
}

}  // namespace tern::virt
