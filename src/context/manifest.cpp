#include "context/manifest.h"

#include <algorithm>
#include <filesystem>

#include "context/paths.h"
#include "context/vm_parser.h"
#include "context/yaml_fields.h"
#include "core/files.h"

namespace tern::context {
namespace {

using yaml::Child;
using yaml::FieldError;
using yaml::Present;

constexpr const char* kServiceClass = "service";
constexpr const char* kInfrastructureClass = "infrastructure";

Result<YAML::Node> LoadYaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    // yaml-cpp counts lines and columns from 0.
    return Status::InvalidArgument(source + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                                   std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": cannot read YAML: " + e.what());
  }
}

Status ParseContext(const YAML::Node& node, const std::string& source, const std::string& base_dir,
                    Manifest& out) {
  const std::string path = "context";
  if (!Present(node)) return FieldError(source, path, "missing required field");
  TERN_RETURN_IF_ERROR(yaml::CheckStringKeys(node, source, path));
  for (const auto& kv : node) {
    const std::string& name = kv.first.Scalar();
    if (name == kInfrastructureClass) {
      return FieldError(
          source, Child(path, name),
          "the infrastructure class comes from the host's configuration; a manifest cannot set it");
    }
    CloudInit* cloud_init = name == kServiceClass ? &out.cloud_init : nullptr;
    TERN_ASSIGN_OR_RETURN(ContextClass cls, ParseClassNodeWithCloudInit(kv.second, name, source, base_dir,
                                                                        Child(path, name), cloud_init));
    out.classes.push_back(std::move(cls));
  }
  if (!node[kServiceClass].IsDefined()) {
    return FieldError(source, Child(path, kServiceClass), "missing required field");
  }
  TERN_RETURN_IF_ERROR(ValidateClassSet(out.classes, source));
  std::stable_sort(out.classes.begin(), out.classes.end(),
                   [](const ContextClass& a, const ContextClass& b) { return a.priority < b.priority; });
  return Status::Ok();
}

Result<Manifest> Parse(const std::string& text, const std::string& source, const std::string& base_dir) {
  TERN_ASSIGN_OR_RETURN(const YAML::Node root, LoadYaml(text, source));
  if (!Present(root)) return Status::InvalidArgument(source + ": the manifest is empty");
  if (!root.IsMap()) {
    return Status::InvalidArgument(source +
                                   ": expected a mapping with 'vm' and 'context' at the top level, got " +
                                   yaml::Describe(root));
  }
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(root, source, "", {"vm", "context"}));
  Manifest manifest;
  manifest.source = source;
  TERN_ASSIGN_OR_RETURN(manifest.vm, ParseVmNode(root["vm"], source, "vm", base_dir));
  TERN_RETURN_IF_ERROR(ParseContext(root["context"], source, base_dir, manifest));
  return manifest;
}

}  // namespace

Result<Manifest> ParseManifestText(const std::string& text, const std::string& source_name,
                                   const std::string& base_dir) {
  try {
    return Parse(text, source_name, base_dir);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source_name + ": cannot read YAML: " + e.what());
  }
}

Result<Manifest> ParseManifestFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const std::string absolute = ResolvePath("", path);
  const std::string dir = std::filesystem::path(absolute).parent_path().string();
  TERN_ASSIGN_OR_RETURN(Manifest manifest, ParseManifestText(*text, path, dir));
  manifest.source = absolute;
  return manifest;
}

}  // namespace tern::context
