#include "api/net_types.h"

namespace tern::api {

using nlohmann::json;

namespace {

template <typename T>
Status Get(const json& j, const char* object, const char* field, T& out) {
  if (!j.is_object()) return Status::InvalidArgument(std::string(object) + ": expected a JSON object");
  auto it = j.find(field);
  if (it == j.end()) return Status::InvalidArgument(std::string(object) + "." + field + ": missing");
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    return Status::InvalidArgument(std::string(object) + "." + field + ": wrong type (" + it->type_name() +
                                   ")");
  }
  return Status::Ok();
}

// An optional field keeps its default when absent.
template <typename T>
Status GetOptional(const json& j, const char* object, const char* field, T& out) {
  if (j.is_object() && !j.contains(field)) return Status::Ok();
  return Get(j, object, field, out);
}

}  // namespace

json ToJson(const NetworkCreateRequest& r) {
  return {{"name", r.name}, {"encrypt", r.encrypt}};
}

Result<NetworkCreateRequest> NetworkCreateRequestFromJson(const json& j) {
  NetworkCreateRequest r;
  TERN_RETURN_IF_ERROR(Get(j, "network create request", "name", r.name));
  TERN_RETURN_IF_ERROR(GetOptional(j, "network create request", "encrypt", r.encrypt));
  return r;
}

json ToJson(const NetworkPeerRequest& r) {
  return {{"name", r.name},
          {"key_hex", r.key_hex},
          {"port", r.port},
          {"encrypt", r.encrypt},
          {"created_at_ms", r.created_at_ms},
          {"created_on", r.created_on}};
}

Result<NetworkPeerRequest> NetworkPeerRequestFromJson(const json& j) {
  NetworkPeerRequest r;
  const char* o = "network peer request";
  TERN_RETURN_IF_ERROR(Get(j, o, "name", r.name));
  TERN_RETURN_IF_ERROR(Get(j, o, "key_hex", r.key_hex));
  TERN_RETURN_IF_ERROR(Get(j, o, "port", r.port));
  TERN_RETURN_IF_ERROR(Get(j, o, "encrypt", r.encrypt));
  TERN_RETURN_IF_ERROR(Get(j, o, "created_at_ms", r.created_at_ms));
  TERN_RETURN_IF_ERROR(Get(j, o, "created_on", r.created_on));
  return r;
}

json ToJson(const NetPortView& p) {
  return {{"network", p.network},         {"vm", p.vm},    {"mac", p.mac}, {"local_port", p.local_port},
          {"remote_port", p.remote_port}, {"open", p.open}};
}

Result<NetPortView> NetPortViewFromJson(const json& j) {
  NetPortView p;
  const char* o = "net port";
  TERN_RETURN_IF_ERROR(Get(j, o, "network", p.network));
  TERN_RETURN_IF_ERROR(Get(j, o, "vm", p.vm));
  TERN_RETURN_IF_ERROR(Get(j, o, "mac", p.mac));
  TERN_RETURN_IF_ERROR(Get(j, o, "local_port", p.local_port));
  TERN_RETURN_IF_ERROR(Get(j, o, "remote_port", p.remote_port));
  TERN_RETURN_IF_ERROR(GetOptional(j, o, "open", p.open));
  return p;
}

json NetPortsToJson(const std::vector<NetPortView>& ports) {
  json arr = json::array();
  for (const auto& p : ports) arr.push_back(ToJson(p));
  return arr;
}

Result<std::vector<NetPortView>> NetPortsFromJson(const json& parent, const char* object) {
  std::vector<NetPortView> out;
  if (!parent.is_object() || !parent.contains("net_ports")) return out;
  const json& arr = parent["net_ports"];
  if (!arr.is_array()) return Status::InvalidArgument(std::string(object) + ".net_ports: expected an array");
  for (const auto& p : arr) {
    TERN_ASSIGN_OR_RETURN(auto v, NetPortViewFromJson(p));
    out.push_back(std::move(v));
  }
  return out;
}

json ToJson(const NetworkView& v) {
  json peers = json::array();
  for (const auto& p : v.peers) {
    peers.push_back({{"host", p.host},
                     {"endpoint", p.endpoint},
                     {"session", p.session},
                     {"state", p.state},
                     {"silent_ms", p.silent_ms}});
  }
  return {{"name", v.name},
          {"host", v.host},
          {"port", v.port},
          {"encrypt", v.encrypt},
          {"created_at_ms", v.created_at_ms},
          {"created_on", v.created_on},
          {"switch_state", v.switch_state},
          {"switch_pid", v.switch_pid},
          {"listen", v.listen},
          {"session", v.session},
          {"membership", v.membership},
          {"mtu", v.mtu},
          {"cipher", v.cipher},
          {"peers", peers},
          {"ports", NetPortsToJson(v.ports)},
          {"macs", v.macs},
          {"counters", v.counters},
          {"port_errors", v.port_errors}};
}

Result<NetworkView> NetworkViewFromJson(const json& j) {
  NetworkView v;
  const char* o = "network";
  TERN_RETURN_IF_ERROR(Get(j, o, "name", v.name));
  TERN_RETURN_IF_ERROR(Get(j, o, "host", v.host));
  TERN_RETURN_IF_ERROR(Get(j, o, "port", v.port));
  TERN_RETURN_IF_ERROR(Get(j, o, "encrypt", v.encrypt));
  TERN_RETURN_IF_ERROR(Get(j, o, "created_at_ms", v.created_at_ms));
  TERN_RETURN_IF_ERROR(Get(j, o, "created_on", v.created_on));
  TERN_RETURN_IF_ERROR(Get(j, o, "switch_state", v.switch_state));
  TERN_RETURN_IF_ERROR(Get(j, o, "switch_pid", v.switch_pid));
  TERN_RETURN_IF_ERROR(Get(j, o, "listen", v.listen));
  TERN_RETURN_IF_ERROR(Get(j, o, "session", v.session));
  TERN_RETURN_IF_ERROR(Get(j, o, "membership", v.membership));
  TERN_RETURN_IF_ERROR(Get(j, o, "mtu", v.mtu));
  TERN_RETURN_IF_ERROR(Get(j, o, "cipher", v.cipher));
  TERN_RETURN_IF_ERROR(Get(j, o, "macs", v.macs));
  TERN_RETURN_IF_ERROR(Get(j, o, "counters", v.counters));
  TERN_RETURN_IF_ERROR(Get(j, o, "port_errors", v.port_errors));
  json peers;
  TERN_RETURN_IF_ERROR(Get(j, o, "peers", peers));
  if (!peers.is_array()) return Status::InvalidArgument("network.peers: expected an array");
  for (const auto& pj : peers) {
    SwitchPeerView p;
    const char* po = "network.peers[]";
    TERN_RETURN_IF_ERROR(Get(pj, po, "host", p.host));
    TERN_RETURN_IF_ERROR(Get(pj, po, "endpoint", p.endpoint));
    TERN_RETURN_IF_ERROR(Get(pj, po, "session", p.session));
    TERN_RETURN_IF_ERROR(Get(pj, po, "state", p.state));
    TERN_RETURN_IF_ERROR(Get(pj, po, "silent_ms", p.silent_ms));
    v.peers.push_back(std::move(p));
  }
  json ports;
  TERN_RETURN_IF_ERROR(Get(j, o, "ports", ports));
  if (!ports.is_array()) return Status::InvalidArgument("network.ports: expected an array");
  for (const auto& p : ports) {
    TERN_ASSIGN_OR_RETURN(auto port, NetPortViewFromJson(p));
    v.ports.push_back(std::move(port));
  }
  return v;
}

json ToJson(const NetworkAttachRequest& r) {
  return {{"vm", r.vm}, {"mac", r.mac}, {"restart", r.restart}};
}

Result<NetworkAttachRequest> NetworkAttachRequestFromJson(const json& j) {
  NetworkAttachRequest r;
  const char* o = "network attach request";
  TERN_RETURN_IF_ERROR(Get(j, o, "vm", r.vm));
  TERN_RETURN_IF_ERROR(GetOptional(j, o, "mac", r.mac));
  TERN_RETURN_IF_ERROR(GetOptional(j, o, "restart", r.restart));
  return r;
}

json ToJson(const NetworkAttachView& v) {
  return {{"port", ToJson(v.port)}, {"restarted", v.restarted}, {"note", v.note}};
}

Result<NetworkAttachView> NetworkAttachViewFromJson(const json& j) {
  NetworkAttachView v;
  json port;
  TERN_RETURN_IF_ERROR(Get(j, "network attach", "port", port));
  TERN_ASSIGN_OR_RETURN(v.port, NetPortViewFromJson(port));
  TERN_RETURN_IF_ERROR(Get(j, "network attach", "restarted", v.restarted));
  TERN_RETURN_IF_ERROR(Get(j, "network attach", "note", v.note));
  return v;
}

}  // namespace tern::api
