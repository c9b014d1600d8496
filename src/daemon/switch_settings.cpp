#include "daemon/switch_settings.h"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <set>

namespace tern::daemon {

namespace {

Status Bad(const std::string& source, const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(source + ": switch." + field + ": " + problem);
}

bool ParseInt(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<PortRange> ParsePortRange(const std::string& text, const std::string& what) {
  const size_t dash = text.find('-');
  PortRange r;
  if (dash == std::string::npos || !ParseInt(std::string_view(text).substr(0, dash), r.first) ||
      !ParseInt(std::string_view(text).substr(dash + 1), r.last) || r.first < 1 || r.last > 65535 ||
      r.first > r.last) {
    return Status::InvalidArgument(what + ": '" + text + "' is not a port range FIRST-LAST within 1-65535");
  }
  return r;
}

Status ParseSwitchSettings(const YAML::Node& node, const std::string& source, const std::string& base_dir,
                           SwitchSettings& out) {
  if (!node.IsMap()) return Status::InvalidArgument(source + ": switch: expected a mapping");
  const std::set<std::string> allowed{"binary",   "address",      "network_ports",
                                      "vm_ports", "underlay_mtu", "heartbeat_ms"};
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    if (allowed.count(key) == 0) return Bad(source, key, "unknown key '" + key + "'");
    if (!kv.second.IsScalar()) return Bad(source, key, "expected a scalar");
  }
  if (node["binary"]) {
    out.binary = node["binary"].as<std::string>();
    if (!out.binary.empty() && out.binary.front() != '/')
      out.binary = (std::filesystem::path(base_dir) / out.binary).lexically_normal().string();
  }
  if (node["address"]) {
    out.address = node["address"].as<std::string>();
    unsigned char buf[16];
    if (::inet_pton(AF_INET, out.address.c_str(), buf) != 1) {
      return Bad(source, "address", "'" + out.address + "' is not an IPv4 address of this host");
    }
  }
  for (const char* key : {"network_ports", "vm_ports"}) {
    if (!node[key]) continue;
    TERN_ASSIGN_OR_RETURN(PortRange r,
                          ParsePortRange(node[key].as<std::string>(), source + ": switch." + key));
    (std::string(key) == "network_ports" ? out.network_ports : out.vm_ports) = r;
  }
  if (out.vm_ports.last - out.vm_ports.first < 1) {
    return Bad(source, "vm_ports", "needs at least two ports (each VM NIC uses two)");
  }
  if (out.network_ports.first <= out.vm_ports.last && out.vm_ports.first <= out.network_ports.last) {
    return Bad(source, "vm_ports",
               out.vm_ports.ToString() + " overlaps network_ports " + out.network_ports.ToString());
  }
  const auto read_int = [&](const char* key, int lo, int hi, int& v) -> Status {
    if (!node[key]) return Status::Ok();
    if (!ParseInt(node[key].as<std::string>(), v) || v < lo || v > hi) {
      return Bad(source, key,
                 "expected an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return Status::Ok();
  };
  TERN_RETURN_IF_ERROR(read_int("underlay_mtu", 1280, 65535, out.underlay_mtu));
  TERN_RETURN_IF_ERROR(read_int("heartbeat_ms", 50, 60000, out.heartbeat_ms));
  return Status::Ok();
}

}  // namespace tern::daemon
