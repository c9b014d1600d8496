// Strict readers of yaml-cpp nodes for tern's YAML formats (internal to the context module): every error
// names the source file, the field path (e.g. "context.service.files[1].source") and the problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>

#include "core/result.h"

namespace tern::context::yaml {

// "<source>: <path>: <problem>", or "<source>: <problem>" when path is empty.
Status FieldError(const std::string& source, const std::string& path, const std::string& problem);

std::string Child(const std::string& path, const std::string& key);  // "a.b" + "c" -> "a.b.c"
std::string Item(const std::string& path, size_t index);             // "a.files" + 1 -> "a.files[1]"

// Defined and not null: an optional field written as `key:` with no value counts as absent.
bool Present(const YAML::Node& node);
// "a mapping", "a list", "null", or the scalar's text in quotes.
std::string Describe(const YAML::Node& node);

Status ExpectMap(const YAML::Node& node, const std::string& source, const std::string& path);
Status ExpectList(const YAML::Node& node, const std::string& source, const std::string& path);
// The node must be a mapping whose keys are distinct strings from `allowed`.
Status CheckKeys(const YAML::Node& node, const std::string& source, const std::string& path,
                 std::initializer_list<const char*> allowed);
// The node must be a mapping whose keys are distinct strings (any names).
Status CheckStringKeys(const YAML::Node& node, const std::string& source, const std::string& path);

// Scalar text as written (numbers and booleans included); mappings, lists and null are errors.
Result<std::string> GetString(const YAML::Node& node, const std::string& source, const std::string& path);
// A decimal integer in [min, max] (quoted or not).
Result<long long> GetInt(const YAML::Node& node, const std::string& source, const std::string& path,
                         long long min, long long max);
// One of `choices`.
Result<std::string> GetChoice(const YAML::Node& node, const std::string& source, const std::string& path,
                              std::initializer_list<const char*> choices);

}  // namespace tern::context::yaml
