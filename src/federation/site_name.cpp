#include "federation/site_name.h"

namespace tern::federation {

Status ValidateSiteName(std::string_view name, const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(what + ": '" + std::string(name) + "' is not a valid site name (" + why +
                                   ")");
  };
  if (name.empty()) return Status::InvalidArgument(what + ": the site name is empty");
  if (name.size() > 63) return bad("longer than 63 characters");
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return bad("only lowercase letters, digits and '-' are allowed");
  }
  if (name.front() == '-') return bad("must not start with '-'");
  return Status::Ok();
}

}  // namespace tern::federation
