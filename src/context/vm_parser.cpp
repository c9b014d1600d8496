#include "context/vm_parser.h"

#include <arpa/inet.h>

#include <cctype>
#include <set>

#include "context/names.h"
#include "context/paths.h"
#include "context/yaml_fields.h"

namespace tern::context {
namespace {

using yaml::Child;
using yaml::FieldError;
using yaml::Item;
using yaml::Present;

Status Required(const YAML::Node& node, const std::string& source, const std::string& path) {
  if (!Present(node)) return FieldError(source, path, "missing required field");
  return Status::Ok();
}

// An existing regular file, returned as an absolute path.
Result<std::string> GetExistingFile(const YAML::Node& node, const std::string& source,
                                    const std::string& path, const std::string& base_dir) {
  TERN_ASSIGN_OR_RETURN(std::string written, yaml::GetString(node, source, path));
  if (written.empty()) return FieldError(source, path, "must not be empty");
  const std::string resolved = ResolvePath(base_dir, written);
  TERN_RETURN_IF_ERROR(CheckRegularFile(source, path, written, resolved));
  return resolved;
}

// Names that end up in libvirt XML and on command lines: letters, digits, '.', '_', '-'.
Result<std::string> GetSimpleName(const YAML::Node& node, const std::string& source,
                                  const std::string& path) {
  TERN_ASSIGN_OR_RETURN(std::string value, yaml::GetString(node, source, path));
  bool ok = !value.empty() && value.size() <= 64;
  for (const char c : value)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!ok)
    return FieldError(source, path,
                      "'" + value + "' is not a valid name (1 to 64 letters, digits, '.', '_' or '-')");
  return value;
}

Result<BootSpec> ParseBoot(const YAML::Node& node, const std::string& source, const std::string& path,
                           const std::string& base_dir) {
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(node, source, path, {"kernel", "initrd", "cmdline"}));
  BootSpec boot;
  TERN_RETURN_IF_ERROR(Required(node["kernel"], source, Child(path, "kernel")));
  TERN_ASSIGN_OR_RETURN(boot.kernel,
                        GetExistingFile(node["kernel"], source, Child(path, "kernel"), base_dir));
  if (const YAML::Node n = node["initrd"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(boot.initrd, GetExistingFile(n, source, Child(path, "initrd"), base_dir));
  }
  if (const YAML::Node n = node["cmdline"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(boot.cmdline, yaml::GetString(n, source, Child(path, "cmdline")));
  }
  return boot;
}

Result<DiskSpec> ParseDisk(const YAML::Node& node, const std::string& source, const std::string& path,
                           const std::string& base_dir) {
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(node, source, path, {"path", "format", "bus"}));
  DiskSpec disk;
  TERN_RETURN_IF_ERROR(Required(node["path"], source, Child(path, "path")));
  TERN_ASSIGN_OR_RETURN(disk.path, GetExistingFile(node["path"], source, Child(path, "path"), base_dir));
  if (const YAML::Node n = node["format"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(disk.format, yaml::GetChoice(n, source, Child(path, "format"), {"qcow2", "raw"}));
  }
  if (const YAML::Node n = node["bus"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(disk.bus,
                          yaml::GetChoice(n, source, Child(path, "bus"), {"virtio", "scsi", "sata", "ide"}));
  }
  return disk;
}

Result<std::string> GetAddress(const YAML::Node& node, const std::string& source, const std::string& path) {
  TERN_ASSIGN_OR_RETURN(std::string value, yaml::GetString(node, source, path));
  unsigned char buf[16];
  if (::inet_pton(AF_INET, value.c_str(), buf) != 1 && ::inet_pton(AF_INET6, value.c_str(), buf) != 1) {
    return FieldError(source, path, "'" + value + "' is not an IPv4 or IPv6 address");
  }
  return value;
}

Result<NicSpec> ParseNic(const YAML::Node& node, const std::string& source, const std::string& path) {
  TERN_RETURN_IF_ERROR(
      yaml::CheckKeys(node, source, path,
                      {"type", "network", "mac", "model", "local_port", "remote_port", "remote_address"}));
  NicSpec nic;
  if (const YAML::Node n = node["type"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(
        nic.type, yaml::GetChoice(n, source, Child(path, "type"), {"network", "user", "udp", "tern"}));
  }
  const auto only_for = [&](const char* key, const char* type) -> Status {
    if (node[key].IsDefined() && nic.type != type) {
      return FieldError(
          source, Child(path, key),
          std::string("only allowed for type ") + type + " (this NIC is type " + nic.type + ")");
    }
    return Status::Ok();
  };
  if (node["network"].IsDefined() && nic.type != "network" && nic.type != "tern") {
    return FieldError(source, Child(path, "network"),
                      "only allowed for type network or tern (this NIC is type " + nic.type + ")");
  }
  TERN_RETURN_IF_ERROR(only_for("local_port", "udp"));
  TERN_RETURN_IF_ERROR(only_for("remote_port", "udp"));
  TERN_RETURN_IF_ERROR(only_for("remote_address", "udp"));
  if (nic.type == "tern") {
    // A tern network (tern-switch): required, and it must exist on the host at deploy time.
    TERN_RETURN_IF_ERROR(Required(node["network"], source, Child(path, "network")));
    TERN_ASSIGN_OR_RETURN(nic.network, yaml::GetString(node["network"], source, Child(path, "network")));
    if (Status s = ValidateNetworkName(nic.network); !s.ok())
      return FieldError(source, Child(path, "network"), s.message());
  } else if (const YAML::Node n = node["network"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(nic.network, GetSimpleName(n, source, Child(path, "network")));
  }
  if (const YAML::Node n = node["mac"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(nic.mac, yaml::GetString(n, source, Child(path, "mac")));
    if (Status s = ValidateMac(nic.mac); !s.ok()) return FieldError(source, Child(path, "mac"), s.message());
  }
  if (const YAML::Node n = node["model"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(nic.model, GetSimpleName(n, source, Child(path, "model")));
  }
  if (const YAML::Node n = node["local_port"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(long long port, yaml::GetInt(n, source, Child(path, "local_port"), 0, 65535));
    nic.local_port = static_cast<int>(port);
  }
  if (const YAML::Node n = node["remote_port"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(long long port, yaml::GetInt(n, source, Child(path, "remote_port"), 0, 65535));
    nic.remote_port = static_cast<int>(port);
  }
  if (const YAML::Node n = node["remote_address"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(nic.remote_address, GetAddress(n, source, Child(path, "remote_address")));
  }
  return nic;
}

}  // namespace

Result<VmDescriptor> ParseVmNode(const YAML::Node& node, const std::string& source, const std::string& path,
                                 const std::string& base_dir) {
  TERN_RETURN_IF_ERROR(Required(node, source, path));
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(
      node, source, path, {"name", "memory_mib", "vcpus", "cdrom_bus", "boot", "disks", "nics"}));
  VmDescriptor vm;
  TERN_RETURN_IF_ERROR(Required(node["name"], source, Child(path, "name")));
  TERN_ASSIGN_OR_RETURN(vm.name, yaml::GetString(node["name"], source, Child(path, "name")));
  if (Status s = ValidateVmName(vm.name); !s.ok())
    return FieldError(source, Child(path, "name"), s.message());

  TERN_RETURN_IF_ERROR(Required(node["memory_mib"], source, Child(path, "memory_mib")));
  TERN_ASSIGN_OR_RETURN(long long memory,
                        yaml::GetInt(node["memory_mib"], source, Child(path, "memory_mib"), 16, 1048576));
  vm.memory_mib = static_cast<int>(memory);
  if (const YAML::Node n = node["vcpus"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(long long vcpus, yaml::GetInt(n, source, Child(path, "vcpus"), 1, 256));
    vm.vcpus = static_cast<int>(vcpus);
  }
  if (const YAML::Node n = node["cdrom_bus"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(vm.cdrom_bus,
                          yaml::GetChoice(n, source, Child(path, "cdrom_bus"), {"scsi", "ide"}));
  }
  if (const YAML::Node n = node["boot"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(vm.boot, ParseBoot(n, source, Child(path, "boot"), base_dir));
  }
  if (const YAML::Node n = node["disks"]; Present(n)) {
    TERN_RETURN_IF_ERROR(yaml::ExpectList(n, source, Child(path, "disks")));
    std::set<std::string> seen;
    for (size_t i = 0; i < n.size(); ++i) {
      TERN_ASSIGN_OR_RETURN(DiskSpec disk, ParseDisk(n[i], source, Item(Child(path, "disks"), i), base_dir));
      if (!seen.insert(disk.path).second) {
        return FieldError(source, Child(Item(Child(path, "disks"), i), "path"),
                          "'" + disk.path + "' is listed twice");
      }
      vm.disks.push_back(std::move(disk));
    }
  }
  if (const YAML::Node n = node["nics"]; Present(n)) {
    TERN_RETURN_IF_ERROR(yaml::ExpectList(n, source, Child(path, "nics")));
    std::set<std::string> macs;
    for (size_t i = 0; i < n.size(); ++i) {
      TERN_ASSIGN_OR_RETURN(NicSpec nic, ParseNic(n[i], source, Item(Child(path, "nics"), i)));
      std::string lower = nic.mac;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!lower.empty() && !macs.insert(lower).second) {
        return FieldError(source, Child(Item(Child(path, "nics"), i), "mac"),
                          "'" + nic.mac + "' is used by another NIC");
      }
      vm.nics.push_back(std::move(nic));
    }
  }
  return vm;
}

}  // namespace tern::context
