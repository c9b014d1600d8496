// Parsing of a manifest's `vm:` section into a VmDescriptor (used by the manifest parser).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "context/types.h"
#include "core/result.h"

namespace tern::context {

// `path` is the field path of the node ("vm"); relative file paths resolve against `base_dir` and must exist.
Result<VmDescriptor> ParseVmNode(const YAML::Node& node, const std::string& source, const std::string& path,
                                 const std::string& base_dir);

}  // namespace tern::context
