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

struct HostFacts {
  std::string host_name;
  std::string domain_type;  // from the probe
  std::string data_dir;
  context::ContextClass infrastructure;
};

// CD-ROM target devices for `count` layers on `bus` ("scsi": sda, sdb, ...; "ide": hda..hdd).
Result<std::vector<std::string>> CdromTargets(const std::string& bus, size_t count, const std::string& vm);

// The ISO file of one generation of a class's layer: <vm_dir>/<class>-g<generation>.iso.
std::string LayerIsoPath(const std::string& vm_dir, const std::string& class_name, uint64_t generation);

Result<DeployPlan> PlanDeploy(const context::Manifest& manifest, const HostFacts& host,
                              const std::string& uuid);

}  // namespace tern::daemon
