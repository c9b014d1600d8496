// DeployPlan: everything a deploy will create for one manifest on this host — the domain spec and one context
// layer (class, metadata, image path, CD-ROM) per class. Pure: computed before anything is created, so bad
// input is refused with nothing to undo.
#pragma once

#include <string>
#include <vector>

#include "context/layer_metadata.h"
#include "context/layer_tree.h"
#include "context/types.h"
#include "core/result.h"
#include "virt/domain_spec.h"

namespace tern::daemon {

struct PlannedLayer {
  context::ContextClass cls;
  context::LayerMetadata meta;
  context::IsoOptions iso;
  std::string iso_path;
  std::string target_dev;
};

struct DeployPlan {
  std::string vm_dir;
  virt::DomainSpec domain;
  std::vector<PlannedLayer> layers;  // service first (the NoCloud seed), then the others by priority
};

// The UDP ports of one NIC on a tern network (allocated by the NetworkManager before planning) and its MAC.
struct TernNicPorts {
  int switch_port = 0;  // tern-switch's end: libvirt <source port=>
  int qemu_port = 0;    // QEMU's end: libvirt <local port=>
  std::string mac;
};

struct HostFacts {
  std::string host_name;
  std::string domain_type;  // from the probe
  std::string data_dir;
  context::ContextClass infrastructure;
  std::vector<TernNicPorts> tern_nics;  // one per `type: tern` NIC of the manifest, in order
};

// The MAC a tern NIC gets when the manifest names none: 52:54:00 (QEMU's prefix) and three bytes derived from
// the VM's UUID and the NIC's index, so that a plan is reproducible.
std::string TernNicMac(const std::string& uuid, size_t nic_index);

// CD-ROM target devices for `count` layers on `bus` ("scsi": sda, sdb, ...; "ide": hda..hdd).
Result<std::vector<std::string>> CdromTargets(const std::string& bus, size_t count, const std::string& vm);

// The ISO file of one generation of a class's layer: <vm_dir>/<class>-g<generation>.iso.
std::string LayerIsoPath(const std::string& vm_dir, const std::string& class_name, uint64_t generation);

Result<DeployPlan> PlanDeploy(const context::Manifest& manifest, const HostFacts& host,
                              const std::string& uuid);

}  // namespace tern::daemon
