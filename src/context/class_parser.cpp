#include "context/class_parser.h"

#include <exception>

#include "context/names.h"
#include "context/paths.h"
#include "context/yaml_fields.h"
#include "core/files.h"

namespace tern::context {
namespace {

using yaml::Child;
using yaml::FieldError;
using yaml::Item;
using yaml::Present;

// "0644", "644", "0o644", 755 (always octal), permission bits only.
Result<int> ParseMode(const YAML::Node& node, const std::string& source, const std::string& path) {
  TERN_ASSIGN_OR_RETURN(std::string text, yaml::GetString(node, source, path));
  std::string digits = text;
  if (digits.rfind("0o", 0) == 0 || digits.rfind("0O", 0) == 0) digits = digits.substr(2);
  bool ok = !digits.empty() && digits.size() <= 4;
  int mode = 0;
  for (const char c : digits) {
    ok = ok && c >= '0' && c <= '7';
    mode = mode * 8 + (c - '0');
  }
  if (!ok || mode > 0777) {
    return FieldError(source, path,
                      "'" + text + "' is not an octal file mode between 0000 and 0777 (e.g. \"0644\")");
  }
  return mode;
}

Result<std::map<std::string, std::string>> ParseValues(const YAML::Node& node, const std::string& source,
                                                       const std::string& path) {
  TERN_RETURN_IF_ERROR(yaml::CheckStringKeys(node, source, path));
  std::map<std::string, std::string> values;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    const std::string key_path = Child(path, key);
    if (Status s = ValidateValueKey(key); !s.ok()) return FieldError(source, path, s.message());
    if (!kv.second.IsScalar()) {
      return FieldError(source, key_path, "expected a scalar value, got " + yaml::Describe(kv.second));
    }
    values.emplace(key, kv.second.Scalar());
  }
  return values;
}

Result<ContextFile> ParseFileEntry(const YAML::Node& node, const std::string& source, const std::string& path,
                                   const std::string& base_dir) {
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(node, source, path, {"path", "source", "content", "mode"}));
  ContextFile file;
  const YAML::Node path_node = node["path"];
  if (!Present(path_node)) return FieldError(source, Child(path, "path"), "missing required field");
  TERN_ASSIGN_OR_RETURN(std::string written_path, yaml::GetString(path_node, source, Child(path, "path")));
  Result<std::string> normalized = NormalizeContextPath(written_path);
  if (!normalized.ok()) return FieldError(source, Child(path, "path"), normalized.status().message());
  file.path = *normalized;

  const YAML::Node source_node = node["source"];
  const YAML::Node content_node = node["content"];
  if (source_node.IsDefined() && content_node.IsDefined()) {
    return FieldError(source, path, "give either 'source' or 'content', not both");
  }
  if (!source_node.IsDefined() && !content_node.IsDefined()) {
    return FieldError(source, path, "missing 'source' or 'content' (exactly one is required)");
  }
  if (source_node.IsDefined()) {
    const std::string field = Child(path, "source");
    if (!Present(source_node)) return FieldError(source, field, "missing value");
    TERN_ASSIGN_OR_RETURN(std::string written, yaml::GetString(source_node, source, field));
    const std::string resolved = ResolvePath(base_dir, written);
    TERN_RETURN_IF_ERROR(CheckRegularFile(source, field, written, resolved));
    Result<std::string> content = ReadFile(resolved);
    if (!content.ok()) return FieldError(source, field, content.status().message());
    file.content = std::move(content).value();
  } else if (content_node.IsNull()) {
    file.content.clear();  // `content:` with nothing: an empty file
  } else {
    TERN_ASSIGN_OR_RETURN(file.content, yaml::GetString(content_node, source, Child(path, "content")));
  }
  if (const YAML::Node mode_node = node["mode"]; Present(mode_node)) {
    TERN_ASSIGN_OR_RETURN(file.mode, ParseMode(mode_node, source, Child(path, "mode")));
  }
  return file;
}

Result<std::vector<ContextFile>> ParseFiles(const YAML::Node& node, const std::string& source,
                                            const std::string& path, const std::string& base_dir) {
  TERN_RETURN_IF_ERROR(yaml::ExpectList(node, source, path));
  std::vector<ContextFile> files;
  ContextPathSet paths;
  for (size_t i = 0; i < node.size(); ++i) {
    TERN_ASSIGN_OR_RETURN(ContextFile file, ParseFileEntry(node[i], source, Item(path, i), base_dir));
    if (Status s = paths.Add(file.path); !s.ok())
      return FieldError(source, Child(Item(path, i), "path"), s.message());
    files.push_back(std::move(file));
  }
  return files;
}

Result<CloudInit> ParseCloudInit(const YAML::Node& node, const std::string& source, const std::string& path) {
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(node, source, path, {"user_data", "network_config"}));
  CloudInit ci;
  if (const YAML::Node n = node["user_data"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(ci.user_data, yaml::GetString(n, source, Child(path, "user_data")));
  }
  if (const YAML::Node n = node["network_config"]; Present(n)) {
    TERN_ASSIGN_OR_RETURN(ci.network_config, yaml::GetString(n, source, Child(path, "network_config")));
  }
  return ci;
}

Result<ContextClass> ParseClass(const YAML::Node& node, const std::string& class_name,
                                const std::string& source, const std::string& base_dir,
                                const std::string& path, CloudInit* cloud_init) {
  if (Status s = ValidateClassName(class_name); !s.ok()) return FieldError(source, path, s.message());
  if (!Present(node)) return FieldError(source, path, "expected a mapping, got nothing (null)");
  TERN_RETURN_IF_ERROR(yaml::CheckKeys(node, source, path, {"priority", "values", "files", "cloud_init"}));
  ContextClass cls;
  cls.name = class_name;
  const YAML::Node priority = node["priority"];
  if (!Present(priority)) return FieldError(source, Child(path, "priority"), "missing required field");
  TERN_ASSIGN_OR_RETURN(long long prio,
                        yaml::GetInt(priority, source, Child(path, "priority"), -1000000, 1000000));
  cls.priority = static_cast<int>(prio);
  if (const YAML::Node values = node["values"]; Present(values)) {
    TERN_ASSIGN_OR_RETURN(cls.values, ParseValues(values, source, Child(path, "values")));
  }
  if (const YAML::Node files = node["files"]; Present(files)) {
    TERN_ASSIGN_OR_RETURN(cls.files, ParseFiles(files, source, Child(path, "files"), base_dir));
  }
  if (const YAML::Node ci = node["cloud_init"]; ci.IsDefined()) {
    if (cloud_init == nullptr) {
      return FieldError(source, Child(path, "cloud_init"),
                        class_name == "service" ? "cloud_init is only read from a manifest's service class"
                                                : "only the service class may carry cloud_init");
    }
    if (Present(ci)) {
      TERN_ASSIGN_OR_RETURN(*cloud_init, ParseCloudInit(ci, source, Child(path, "cloud_init")));
    }
  }
  size_t total = 0;
  for (const auto& [key, value] : cls.values) total += key.size() + value.size();
  for (const ContextFile& f : cls.files) total += f.content.size();
  if (total > kMaxClassContentBytes) {
    return FieldError(source, path,
                      "the class holds " + std::to_string(total) +
                          " bytes of values and files, more than the limit of " +
                          std::to_string(kMaxClassContentBytes));
  }
  return cls;
}

}  // namespace

Result<ContextClass> ParseClassNodeWithCloudInit(const YAML::Node& node, const std::string& class_name,
                                                 const std::string& source_name, const std::string& base_dir,
                                                 const std::string& field_path, CloudInit* cloud_init) {
  const std::string path = field_path.empty() ? "context." + class_name : field_path;
  try {
    return ParseClass(node, class_name, source_name, base_dir, path, cloud_init);
  } catch (const YAML::Exception& e) {
    return FieldError(source_name, path, std::string("cannot read YAML: ") + e.what());
  }
}

Result<ContextClass> ParseClassNode(const YAML::Node& node, const std::string& class_name,
                                    const std::string& source_name, const std::string& base_dir,
                                    const std::string& field_path) {
  return ParseClassNodeWithCloudInit(node, class_name, source_name, base_dir, field_path, nullptr);
}

Status ValidateClassSet(const std::vector<ContextClass>& classes, const std::string& source_name) {
  for (size_t i = 0; i < classes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (classes[j].name == classes[i].name) {
        return FieldError(source_name, "context", "class '" + classes[i].name + "' is defined twice");
      }
      if (classes[j].priority == classes[i].priority) {
        return FieldError(source_name, "context",
                          "classes '" + classes[j].name + "' and '" + classes[i].name +
                              "' have the same priority " + std::to_string(classes[i].priority));
      }
    }
  }
  return Status::Ok();
}

}  // namespace tern::context
