// VmMetadata: what tern keeps about a VM inside its libvirt domain (<tern:vm> metadata), so that the host a
// VM arrives at — also by a migration tern did not start — can adopt it: identity, manifest and its layers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace tern::recontext {

struct VmMetadata {
  store::VmRecord vm;  // name and uuid are the domain's; host is the recording host
  std::vector<store::LayerRecord> layers;
};

std::map<std::string, std::string> EncodeVmMetadata(const store::VmRecord& vm,
                                                    const std::vector<store::LayerRecord>& layers);
// NotFound when the domain carries no tern metadata (not a tern VM); InvalidArgument naming the domain when
// it is malformed.
Result<VmMetadata> DecodeVmMetadata(const std::string& domain,
                                    const std::map<std::string, std::string>& values);

// The CD-ROM bus of a target device name ("sda" -> scsi, "hdc" -> ide).
std::string BusOfDevice(const std::string& target_dev);

}  // namespace tern::recontext
