#include "context/yaml_fields.h"

#include <charconv>
#include <set>

namespace tern::context::yaml {
namespace {

std::string JoinChoices(std::initializer_list<const char*> choices, const char* sep) {
  std::string out;
  for (const char* c : choices) {
    if (!out.empty()) out += sep;
    out += c;
  }
  return out;
}

}  // namespace

Status FieldError(const std::string& source, const std::string& path, const std::string& problem) {
  return Status::InvalidArgument(source + ": " + (path.empty() ? "" : path + ": ") + problem);
}

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Item(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

bool Present(const YAML::Node& node) {
  return node.IsDefined() && !node.IsNull();
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing (null)";
}

Status ExpectMap(const YAML::Node& node, const std::string& source, const std::string& path) {
  if (node.IsMap()) return Status::Ok();
  return FieldError(source, path, "expected a mapping, got " + Describe(node));
}

Status ExpectList(const YAML::Node& node, const std::string& source, const std::string& path) {
  if (node.IsSequence()) return Status::Ok();
  return FieldError(source, path, "expected a list, got " + Describe(node));
}

Status CheckStringKeys(const YAML::Node& node, const std::string& source, const std::string& path) {
  TERN_RETURN_IF_ERROR(ExpectMap(node, source, path));
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar())
      return FieldError(source, path, "keys must be strings, got " + Describe(kv.first));
    if (!seen.insert(kv.first.Scalar()).second) {
      return FieldError(source, path, "duplicate key '" + kv.first.Scalar() + "'");
    }
  }
  return Status::Ok();
}

Status CheckKeys(const YAML::Node& node, const std::string& source, const std::string& path,
                 std::initializer_list<const char*> allowed) {
  TERN_RETURN_IF_ERROR(CheckStringKeys(node, source, path));
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      return FieldError(source, path,
                        "unknown key '" + key + "' (allowed: " + JoinChoices(allowed, ", ") + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> GetString(const YAML::Node& node, const std::string& source, const std::string& path) {
  if (!node.IsScalar()) return FieldError(source, path, "expected a string, got " + Describe(node));
  return node.Scalar();
}

Result<long long> GetInt(const YAML::Node& node, const std::string& source, const std::string& path,
                         long long min, long long max) {
  if (!node.IsScalar()) return FieldError(source, path, "expected an integer, got " + Describe(node));
  const std::string& text = node.Scalar();
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+' && begin + 1 != end && begin[1] != '-') ++begin;
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (begin == end || ptr != end || ec == std::errc::invalid_argument) {
    return FieldError(source, path, "expected an integer, got '" + text + "'");
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    return FieldError(
        source, path,
        "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text);
  }
  return value;
}

Result<std::string> GetChoice(const YAML::Node& node, const std::string& source, const std::string& path,
                              std::initializer_list<const char*> choices) {
  TERN_ASSIGN_OR_RETURN(std::string value, GetString(node, source, path));
  for (const char* c : choices) {
    if (value == c) return value;
  }
  return FieldError(source, path, "'" + value + "' is not one of " + JoinChoices(choices, " | "));
}

}  // namespace tern::context::yaml
