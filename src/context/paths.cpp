#include "context/paths.h"

#include <filesystem>
#include <system_error>

#include "context/yaml_fields.h"

namespace tern::context {

std::string ResolvePath(const std::string& base_dir, const std::string& written) {
  namespace fs = std::filesystem;
  fs::path p(written);
  if (p.is_relative()) {
    std::error_code ec;
    fs::path base = fs::absolute(base_dir.empty() ? fs::path(".") : fs::path(base_dir), ec);
    if (ec) base = fs::path(base_dir);
    p = base / p;
  }
  std::string out = p.lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Status CheckRegularFile(const std::string& source, const std::string& field, const std::string& written,
                        const std::string& resolved) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(resolved, ec);
  if (!fs::exists(st)) {
    return yaml::FieldError(source, field, "file '" + written + "' does not exist (" + resolved + ")");
  }
  if (!fs::is_regular_file(st)) {
    return yaml::FieldError(source, field, "'" + written + "' is not a regular file (" + resolved + ")");
  }
  return Status::Ok();
}

}  // namespace tern::context
