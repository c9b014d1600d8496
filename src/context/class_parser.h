// Parsing of one context class from YAML (a manifest's `context.<name>` entry, or the host's infrastructure
// context), and the consistency check over a set of classes (distinct names and priorities).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "context/types.h"
#include "core/result.h"

namespace tern::context {

// Upper bound on the total size of a class's values and file contents (the layer is built in memory).
inline constexpr size_t kMaxClassContentBytes = 64u << 20;

// Parses a class entry: `priority` (required int), `values` (mapping key -> scalar), `files` (list of
// {path, source | content, mode}). Relative `source` paths resolve against `base_dir`; file contents are read
// now. Errors name `source_name`, the field path (`field_path`, default "context.<class_name>") and the
// problem. `cloud_init` is refused here: only the manifest's service class carries it.
Result<ContextClass> ParseClassNode(const YAML::Node& node, const std::string& class_name,
                                    const std::string& source_name, const std::string& base_dir,
                                    const std::string& field_path = "");

// Same, for the manifest parser: when `cloud_init` is not null, a `cloud_init` key is accepted and stored
// there.
Result<ContextClass> ParseClassNodeWithCloudInit(const YAML::Node& node, const std::string& class_name,
                                                 const std::string& source_name, const std::string& base_dir,
                                                 const std::string& field_path, CloudInit* cloud_init);

// Fails if two classes (manifest + e.g. the host's infrastructure class) share a priority or a name:
// "<source>: context: classes 'service' and 'broker' have the same priority 10".
Status ValidateClassSet(const std::vector<ContextClass>& classes, const std::string& source_name);

}  // namespace tern::context
