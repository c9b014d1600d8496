// cloud-init NoCloud seed content (meta-data, user-data, network-config) for the layer that doubles as the
// VM's first-boot seed (volume label "cidata").
#pragma once

#include <string>

#include "context/types.h"
#include "core/result.h"

namespace tern::context {

inline constexpr const char* kDefaultUserData = "#cloud-config\n{}\n";
// netplan-style version 2: DHCPv4 on every ethernet interface whose name starts with "e".
inline constexpr const char* kDefaultNetworkConfig =
    "version: 2\nethernets:\n  all:\n    match:\n      name: \"e*\"\n    dhcp4: true\n";

// "instance-id: <id>\nlocal-hostname: <hostname>\n" (the hostname line only when hostname is not empty).
// instance_id is required: [A-Za-z0-9._-]{1,128}; hostname: [A-Za-z0-9.-]{0,253}.
Result<std::string> RenderNoCloudMetaData(const std::string& instance_id, const std::string& hostname);
std::string NoCloudUserData(const CloudInit& ci);       // ci.user_data, or the default when empty
std::string NoCloudNetworkConfig(const CloudInit& ci);  // ci.network_config, or the default when empty

}  // namespace tern::context
