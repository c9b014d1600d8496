#include "context/nocloud.h"

#include <cctype>

namespace tern::context {
namespace {

bool AllOf(const std::string& s, const char* extra) {
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
        std::string_view(extra).find(c) == std::string::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::string> RenderNoCloudMetaData(const std::string& instance_id, const std::string& hostname) {
  if (instance_id.empty() || instance_id.size() > 128 || !AllOf(instance_id, "._-")) {
    return Status::InvalidArgument(
        "'" + instance_id +
        "' is not a valid cloud-init instance id (1 to 128 letters, digits, '.', '_' "
        "or '-')");
  }
  if (hostname.size() > 253 || !AllOf(hostname, ".-")) {
    return Status::InvalidArgument("'" + hostname +
                                   "' is not a valid hostname (letters, digits, '.' or '-')");
  }
  std::string out = "instance-id: " + instance_id + "\n";
  if (!hostname.empty()) out += "local-hostname: " + hostname + "\n";
  return out;
}

std::string NoCloudUserData(const CloudInit& ci) {
  return ci.user_data.empty() ? kDefaultUserData : ci.user_data;
}

std::string NoCloudNetworkConfig(const CloudInit& ci) {
  return ci.network_config.empty() ? kDefaultNetworkConfig : ci.network_config;
}

}  // namespace tern::context
