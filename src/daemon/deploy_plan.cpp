#include "daemon/deploy_plan.h"

#include <algorithm>
#include <cstdio>

#include "context/class_parser.h"
#include "context/layer_tree.h"

namespace tern::daemon {

Result<std::vector<std::string>> CdromTargets(const std::string& bus, size_t count, const std::string& vm) {
  std::vector<std::string> out;
  if (bus == "scsi") {
    if (count > 26) return Status::InvalidArgument("vm '" + vm + "': more than 26 context classes");
    for (size_t i = 0; i < count; ++i) out.push_back(std::string("sd") + static_cast<char>('a' + i));
  } else if (bus == "ide") {
    if (count > 4) {
      return Status::InvalidArgument("vm '" + vm + "': " + std::to_string(count) +
                                     " context classes do not fit the 4 IDE slots (use cdrom_bus: scsi)");
    }
    for (size_t i = 0; i < count; ++i) out.push_back(std::string("hd") + static_cast<char>('a' + i));
  } else {
    return Status::InvalidArgument("vm '" + vm + "': unknown CD-ROM bus '" + bus + "'");
  }
  return out;
}

std::string TernNicMac(const std::string& uuid, size_t nic_index) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across builds and hosts
  for (const char c : uuid + "/" + std::to_string(nic_index))
    h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  char buf[18];
  std::snprintf(buf, sizeof buf, "52:54:00:%02x:%02x:%02x", static_cast<unsigned>((h >> 16) & 0xff),
                static_cast<unsigned>((h >> 8) & 0xff), static_cast<unsigned>(h & 0xff));
  return buf;
}

std::string LayerIsoPath(const std::string& vm_dir, const std::string& class_name, uint64_t generation) {
  return vm_dir + "/" + class_name + "-g" + std::to_string(generation) + ".iso";
}

Result<DeployPlan> PlanDeploy(const context::Manifest& m, const HostFacts& host, const std::string& uuid) {
  const auto& vm = m.vm;
  std::vector<context::ContextClass> classes = m.classes;
  classes.push_back(host.infrastructure);
  TERN_RETURN_IF_ERROR(context::ValidateClassSet(classes, m.source));
  // The service layer goes first: stock cloud images look for the NoCloud seed on the first CD-ROM.
  std::stable_sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) {
    if ((a.name == "service") != (b.name == "service")) return a.name == "service";
    return a.priority < b.priority;
  });
  TERN_ASSIGN_OR_RETURN(auto targets, CdromTargets(vm.cdrom_bus, classes.size(), vm.name));

  DeployPlan plan;
  plan.vm_dir = host.data_dir + "/vms/" + vm.name;
  auto& d = plan.domain;
  d.name = vm.name;
  d.uuid = uuid;
  d.domain_type = host.domain_type;
  d.machine = "pc";
  d.memory_mib = vm.memory_mib;
  d.vcpus = vm.vcpus;
  if (vm.boot) {
    d.kernel = vm.boot->kernel;
    d.initrd = vm.boot->initrd;
    d.cmdline = vm.boot->cmdline;
  }
  for (size_t i = 0; i < vm.disks.size(); ++i) {
    if (i >= 26) return Status::InvalidArgument("vm '" + vm.name + "': more than 26 disks");
    const auto& disk = vm.disks[i];
    const std::string prefix = disk.bus == "virtio" ? "vd" : (disk.bus == "ide" ? "hd" : "sd");
    if (disk.bus == vm.cdrom_bus || (disk.bus == "sata" && vm.cdrom_bus == "scsi")) {
      return Status::InvalidArgument("vm '" + vm.name + "': disk " + disk.path + " on bus '" + disk.bus +
                                     "' would share device names with the context CD-ROMs; use bus virtio");
    }
    d.disks.push_back({disk.path, disk.format, prefix + static_cast<char>('a' + i), disk.bus});
  }
  size_t tern_nics = 0;
  for (const auto& nic : vm.nics) {
    virt::NicSpec n;
    n.type = nic.type;
    n.network = nic.network;
    n.mac = nic.mac;
    n.model = nic.model;
    n.local_port = nic.local_port;
    n.remote_port = nic.remote_port;
    n.remote_address = nic.remote_address;
    if (nic.type == "tern") {
      // A tern-switch VM port: QEMU's UDP socket netdev towards the host's switch for that network.
      if (tern_nics >= host.tern_nics.size()) {
        return Status::Internal("vm '" + vm.name + "': no UDP ports were allocated for its NIC on network '" +
                                nic.network + "'");
      }
      const TernNicPorts& p = host.tern_nics[tern_nics++];
      n.type = "udp";
      n.local_port = p.qemu_port;
      n.remote_port = p.switch_port;
      n.remote_address = "127.0.0.1";
      n.mac = p.mac;
    }
    d.nics.push_back(n);
  }
  d.serial_log = plan.vm_dir + "/serial.log";
  d.metadata["managed"] = "1";
  d.metadata["host"] = host.host_name;
  d.metadata["manifest"] = m.source;

  for (size_t i = 0; i < classes.size(); ++i) {
    PlannedLayer l;
    l.cls = classes[i];
    l.meta.class_name = l.cls.name;
    l.meta.priority = l.cls.priority;
    l.meta.generation = 1;
    l.meta.origin = l.cls.name == "infrastructure" ? "host:" + host.host_name : "manifest:" + m.source;
    if (l.cls.name == "service") {
      l.iso.cloud_init_seed = true;
      l.iso.instance_id = "tern-" + uuid;
      // VM names may hold '_', host names may not.
      std::string hostname = vm.name;
      std::replace(hostname.begin(), hostname.end(), '_', '-');
      l.iso.hostname = hostname;
      l.iso.cloud_init = m.cloud_init;
    }
    // Render the tree now (cheap, no image yet) so that a layer that cannot be built is refused before
    // anything is created.
    TERN_RETURN_IF_ERROR(context::RenderLayerTree(l.cls, l.meta, l.iso).status().WithContext(m.source));
    l.iso_path = LayerIsoPath(plan.vm_dir, l.cls.name, 1);
    l.target_dev = targets[i];
    d.cdroms.push_back({l.target_dev, vm.cdrom_bus, l.iso_path});
    plan.layers.push_back(std::move(l));
  }
  TERN_RETURN_IF_ERROR(virt::ValidateDomainSpec(d));
  return plan;
}

}  // namespace tern::daemon
