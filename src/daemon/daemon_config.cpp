#include "daemon/daemon_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "api/listen_address.h"
#include "context/class_parser.h"
#include "context/names.h"
#include "core/files.h"

namespace tern::daemon {

namespace {

Status Bad(const std::string& source, const std::string& field, const std::string& problem) {
  if (field.empty()) return Status::InvalidArgument(source + ": " + problem);
  return Status::InvalidArgument(source + ": " + field + ": " + problem);
}

Status CheckKeys(const YAML::Node& node, const std::string& source, const std::string& field,
                 const std::set<std::string>& allowed) {
  if (!node.IsMap()) return Bad(source, field, "expected a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    if (allowed.count(key) == 0) return Bad(source, field.empty() ? key : field, "unknown key '" + key + "'");
  }
  return Status::Ok();
}

Status ReadString(const YAML::Node& parent, const char* key, const std::string& source,
                  const std::string& field, std::string& out, bool required) {
  const YAML::Node n = parent[key];
  if (!n) return required ? Bad(source, field, "missing required field") : Status::Ok();
  if (!n.IsScalar()) return Bad(source, field, "expected a string");
  out = n.as<std::string>();
  if (out.empty()) return Bad(source, field, "must not be empty");
  return Status::Ok();
}

std::string Absolute(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

}  // namespace

Result<DaemonConfig> ParseDaemonConfigFile(const std::string& path) {
  TERN_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const auto abs = std::filesystem::absolute(path);
  return ParseDaemonConfigText(text, path, abs.parent_path().string());
}

Result<DaemonConfig> ParseDaemonConfigText(const std::string& text, const std::string& source,
                                           const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return Status::InvalidArgument(source + ": the configuration is empty");
  DaemonConfig c;
  c.source = source;
  try {
    TERN_RETURN_IF_ERROR(CheckKeys(
        root, source, "",
        {"host", "libvirt", "data_dir", "api", "infrastructure", "peers", "recontextualize", "switch"}));
    const YAML::Node host = root["host"];
    if (!host) return Bad(source, "host", "missing required field");
    TERN_RETURN_IF_ERROR(CheckKeys(host, source, "host", {"name"}));
    TERN_RETURN_IF_ERROR(ReadString(host, "name", source, "host.name", c.host_name, true));
    if (!context::ValidateVmName(c.host_name).ok()) {
      return Bad(source, "host.name",
                 "'" + c.host_name + "' is not a valid name ([A-Za-z0-9][A-Za-z0-9._-]*)");
    }
    if (const YAML::Node lv = root["libvirt"]) {
      TERN_RETURN_IF_ERROR(
          CheckKeys(lv, source, "libvirt", {"uri", "domain_type", "probe_kernel", "probe_initrd"}));
      TERN_RETURN_IF_ERROR(ReadString(lv, "uri", source, "libvirt.uri", c.libvirt_uri, false));
      TERN_RETURN_IF_ERROR(
          ReadString(lv, "domain_type", source, "libvirt.domain_type", c.domain_type, false));
      if (c.domain_type != "auto" && c.domain_type != "kvm" && c.domain_type != "qemu") {
        return Bad(source, "libvirt.domain_type", "'" + c.domain_type + "' is not one of auto, kvm, qemu");
      }
      TERN_RETURN_IF_ERROR(
          ReadString(lv, "probe_kernel", source, "libvirt.probe_kernel", c.probe_kernel, false));
      TERN_RETURN_IF_ERROR(
          ReadString(lv, "probe_initrd", source, "libvirt.probe_initrd", c.probe_initrd, false));
      c.probe_kernel = Absolute(c.probe_kernel, base_dir);
      c.probe_initrd = Absolute(c.probe_initrd, base_dir);
    }
    TERN_RETURN_IF_ERROR(ReadString(root, "data_dir", source, "data_dir", c.data_dir, false));
    c.data_dir = Absolute(c.data_dir, base_dir);
    if (const YAML::Node api = root["api"]) {
      TERN_RETURN_IF_ERROR(CheckKeys(api, source, "api", {"listen"}));
      TERN_RETURN_IF_ERROR(ReadString(api, "listen", source, "api.listen", c.api_listen, false));
    }
    TERN_ASSIGN_OR_RETURN(auto addr, api::ParseListenAddress(c.api_listen, source + ": api.listen"));
    if (const YAML::Node sw = root["switch"]) {
      TERN_RETURN_IF_ERROR(ParseSwitchSettings(sw, source, base_dir, c.net_switch));
    }
    if (c.net_switch.address.empty()) c.net_switch.address = addr.host;
    if (const YAML::Node peers = root["peers"]) {
      if (!peers.IsSequence()) return Bad(source, "peers", "expected a list");
      for (size_t i = 0; i < peers.size(); ++i) {
        const std::string f = "peers[" + std::to_string(i) + "]";
        TERN_RETURN_IF_ERROR(CheckKeys(peers[i], source, f, {"name", "api", "libvirt", "switch_address"}));
        PeerHost p;
        TERN_RETURN_IF_ERROR(ReadString(peers[i], "name", source, f + ".name", p.name, true));
        TERN_RETURN_IF_ERROR(ReadString(peers[i], "api", source, f + ".api", p.api, true));
        TERN_RETURN_IF_ERROR(ReadString(peers[i], "libvirt", source, f + ".libvirt", p.libvirt_uri, true));
        if (p.api.rfind("http://", 0) != 0)
          return Bad(source, f + ".api", "'" + p.api + "' must start with http://");
        TERN_RETURN_IF_ERROR(
            ReadString(peers[i], "switch_address", source, f + ".switch_address", p.switch_address, false));
        if (p.switch_address.empty()) {
          // http://HOST:PORT/... -> HOST
          const std::string rest = p.api.substr(7);
          p.switch_address = rest.substr(0, rest.find_first_of(":/"));
        }
        if (p.name == c.host_name) return Bad(source, f + ".name", "'" + p.name + "' is this host itself");
        for (const auto& q : c.peers) {
          if (q.name == p.name) return Bad(source, f + ".name", "host '" + p.name + "' is listed twice");
        }
        c.peers.push_back(std::move(p));
      }
    }
    if (const YAML::Node rc = root["recontextualize"]) {
      if (!rc.IsScalar() || (rc.as<std::string>() != "true" && rc.as<std::string>() != "false")) {
        return Bad(source, "recontextualize", "expected true or false");
      }
      c.recontextualize = rc.as<std::string>() == "true";
    }
    const YAML::Node infra = root["infrastructure"];
    if (!infra)
      return Bad(source, "infrastructure", "missing required field (the context this host gives its VMs)");
    TERN_ASSIGN_OR_RETURN(c.infrastructure, context::ParseClassNode(infra, "infrastructure", source, base_dir,
                                                                    "infrastructure"));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

}  // namespace tern::daemon
