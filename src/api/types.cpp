#include "api/types.h"

namespace tern::api {

using nlohmann::json;

namespace {

// Reads a required field of the expected JSON type; the error names the object and field.
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

Result<LayerView> LayerViewFromJson(const json& j) {
  LayerView l;
  TERN_RETURN_IF_ERROR(Get(j, "layer", "class", l.class_name));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "priority", l.priority));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "generation", l.generation));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "origin", l.origin));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "device", l.device));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "iso_path", l.iso_path));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "changed_at_ms", l.changed_at_ms));
  TERN_RETURN_IF_ERROR(Get(j, "layer", "reason", l.reason));
  return l;
}

}  // namespace

json ToJson(const RecontextView& r) {
  return {{"class", r.class_name},  {"generation", r.generation}, {"resolve_ms", r.resolve_ms},
          {"build_ms", r.build_ms}, {"detach_ms", r.detach_ms},   {"attach_ms", r.attach_ms},
          {"prebuilt", r.prebuilt}, {"summary", r.summary}};
}

Result<RecontextView> RecontextViewFromJson(const json& j) {
  RecontextView r;
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "class", r.class_name));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "generation", r.generation));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "resolve_ms", r.resolve_ms));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "build_ms", r.build_ms));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "detach_ms", r.detach_ms));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "attach_ms", r.attach_ms));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "prebuilt", r.prebuilt));
  TERN_RETURN_IF_ERROR(Get(j, "recontext", "summary", r.summary));
  return r;
}

json ToJson(const MigrationView& m) {
  return {{"id", m.id},
          {"vm", m.vm},
          {"from", m.from},
          {"to", m.to},
          {"state", m.state},
          {"data_total", m.data_total},
          {"data_processed", m.data_processed},
          {"data_remaining", m.data_remaining},
          {"elapsed_ms", m.elapsed_ms},
          {"total_ms", m.total_ms},
          {"downtime_ms", m.downtime_ms},
          {"bytes", m.bytes},
          {"error", m.error}};
}

Result<MigrationView> MigrationViewFromJson(const json& j) {
  MigrationView m;
  TERN_RETURN_IF_ERROR(Get(j, "migration", "id", m.id));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "vm", m.vm));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "from", m.from));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "to", m.to));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "state", m.state));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "data_total", m.data_total));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "data_processed", m.data_processed));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "data_remaining", m.data_remaining));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "elapsed_ms", m.elapsed_ms));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "total_ms", m.total_ms));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "downtime_ms", m.downtime_ms));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "bytes", m.bytes));
  TERN_RETURN_IF_ERROR(Get(j, "migration", "error", m.error));
  return m;
}

json ToJson(const IncomingRequest& r) {
  json layers = json::array();
  for (const auto& l : r.layers) {
    layers.push_back({{"class", l.class_name},
                      {"priority", l.priority},
                      {"generation", l.generation},
                      {"origin", l.origin},
                      {"device", l.device},
                      {"digest", l.digest},
                      {"source_path", l.source_path},
                      {"iso_base64", l.iso_base64},
                      {"changed_at_ms", l.changed_at_ms},
                      {"reason", l.reason}});
  }
  json disks = json::array();
  for (const auto& d : r.disks) {
    disks.push_back({{"source_path", d.source_path}, {"format", d.format}, {"virtual_size", d.virtual_size}});
  }
  return {{"vm", r.vm},
          {"uuid", r.uuid},
          {"instance_id", r.instance_id},
          {"manifest_source", r.manifest_source},
          {"created_at_ms", r.created_at_ms},
          {"from_host", r.from_host},
          {"serial_log", r.serial_log},
          {"layers", layers},
          {"disks", disks},
          {"net_ports", NetPortsToJson(r.net_ports)}};
}

Result<IncomingRequest> IncomingRequestFromJson(const json& j) {
  IncomingRequest r;
  const char* o = "incoming request";
  TERN_RETURN_IF_ERROR(Get(j, o, "vm", r.vm));
  TERN_RETURN_IF_ERROR(Get(j, o, "uuid", r.uuid));
  TERN_RETURN_IF_ERROR(Get(j, o, "instance_id", r.instance_id));
  TERN_RETURN_IF_ERROR(Get(j, o, "manifest_source", r.manifest_source));
  TERN_RETURN_IF_ERROR(Get(j, o, "created_at_ms", r.created_at_ms));
  TERN_RETURN_IF_ERROR(Get(j, o, "from_host", r.from_host));
  TERN_RETURN_IF_ERROR(Get(j, o, "serial_log", r.serial_log));
  json layers;
  json disks;
  TERN_RETURN_IF_ERROR(Get(j, o, "layers", layers));
  TERN_RETURN_IF_ERROR(Get(j, o, "disks", disks));
  if (!layers.is_array() || !disks.is_array())
    return Status::InvalidArgument("incoming request: layers/disks must be arrays");
  for (const auto& lj : layers) {
    IncomingLayer l;
    const char* lo = "incoming request.layers[]";
    TERN_RETURN_IF_ERROR(Get(lj, lo, "class", l.class_name));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "priority", l.priority));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "generation", l.generation));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "origin", l.origin));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "device", l.device));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "digest", l.digest));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "source_path", l.source_path));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "iso_base64", l.iso_base64));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "changed_at_ms", l.changed_at_ms));
    TERN_RETURN_IF_ERROR(Get(lj, lo, "reason", l.reason));
    r.layers.push_back(std::move(l));
  }
  for (const auto& dj : disks) {
    IncomingDisk d;
    const char* dobj = "incoming request.disks[]";
    TERN_RETURN_IF_ERROR(Get(dj, dobj, "source_path", d.source_path));
    TERN_RETURN_IF_ERROR(Get(dj, dobj, "format", d.format));
    TERN_RETURN_IF_ERROR(Get(dj, dobj, "virtual_size", d.virtual_size));
    r.disks.push_back(std::move(d));
  }
  TERN_ASSIGN_OR_RETURN(r.net_ports, NetPortsFromJson(j, o));
  return r;
}

json ToJson(const IncomingView& v) {
  return {{"paths", v.paths}, {"net_ports", NetPortsToJson(v.net_ports)}};
}

Result<IncomingView> IncomingViewFromJson(const json& j) {
  IncomingView v;
  TERN_RETURN_IF_ERROR(Get(j, "incoming", "paths", v.paths));
  TERN_ASSIGN_OR_RETURN(v.net_ports, NetPortsFromJson(j, "incoming"));
  return v;
}

json ToJson(const DeployRequest& r) {
  return {{"manifest", r.manifest}, {"source", r.source}, {"base_dir", r.base_dir}};
}

json ToJson(const LayerView& l) {
  return {{"class", l.class_name},
          {"priority", l.priority},
          {"generation", l.generation},
          {"origin", l.origin},
          {"device", l.device},
          {"iso_path", l.iso_path},
          {"changed_at_ms", l.changed_at_ms},
          {"reason", l.reason}};
}

json ToJson(const VmView& v) {
  json layers = json::array();
  for (const auto& l : v.layers) layers.push_back(ToJson(l));
  return {{"name", v.name},
          {"uuid", v.uuid},
          {"host", v.host},
          {"state", v.state},
          {"manifest_source", v.manifest_source},
          {"created_at_ms", v.created_at_ms},
          {"layers", layers}};
}

json ToJson(const EventView& e) {
  return {{"at_ms", e.at_ms}, {"kind", e.kind}, {"detail", e.detail}};
}

json ToJson(const HostView& h) {
  return {{"name", h.name},
          {"hostname", h.hostname},
          {"libvirt_uri", h.libvirt_uri},
          {"domain_type", h.domain_type},
          {"domain_type_reason", h.domain_type_reason},
          {"version", h.version}};
}

json ErrorJson(const Status& s) {
  return {{"error", {{"code", std::string(StatusCodeName(s.code()))}, {"message", s.message()}}}};
}

Result<DeployRequest> DeployRequestFromJson(const json& j) {
  DeployRequest r;
  TERN_RETURN_IF_ERROR(Get(j, "deploy request", "manifest", r.manifest));
  TERN_RETURN_IF_ERROR(Get(j, "deploy request", "source", r.source));
  TERN_RETURN_IF_ERROR(Get(j, "deploy request", "base_dir", r.base_dir));
  return r;
}

Result<VmView> VmViewFromJson(const json& j) {
  VmView v;
  TERN_RETURN_IF_ERROR(Get(j, "vm", "name", v.name));
  TERN_RETURN_IF_ERROR(Get(j, "vm", "uuid", v.uuid));
  TERN_RETURN_IF_ERROR(Get(j, "vm", "host", v.host));
  TERN_RETURN_IF_ERROR(Get(j, "vm", "state", v.state));
  TERN_RETURN_IF_ERROR(Get(j, "vm", "manifest_source", v.manifest_source));
  TERN_RETURN_IF_ERROR(Get(j, "vm", "created_at_ms", v.created_at_ms));
  json layers;
  TERN_RETURN_IF_ERROR(Get(j, "vm", "layers", layers));
  if (!layers.is_array()) return Status::InvalidArgument("vm.layers: expected an array");
  for (const auto& l : layers) {
    TERN_ASSIGN_OR_RETURN(auto lv, LayerViewFromJson(l));
    v.layers.push_back(std::move(lv));
  }
  return v;
}

Result<EventView> EventViewFromJson(const json& j) {
  EventView e;
  TERN_RETURN_IF_ERROR(Get(j, "event", "at_ms", e.at_ms));
  TERN_RETURN_IF_ERROR(Get(j, "event", "kind", e.kind));
  TERN_RETURN_IF_ERROR(Get(j, "event", "detail", e.detail));
  return e;
}

Result<HostView> HostViewFromJson(const json& j) {
  HostView h;
  TERN_RETURN_IF_ERROR(Get(j, "host", "name", h.name));
  TERN_RETURN_IF_ERROR(Get(j, "host", "hostname", h.hostname));
  TERN_RETURN_IF_ERROR(Get(j, "host", "libvirt_uri", h.libvirt_uri));
  TERN_RETURN_IF_ERROR(Get(j, "host", "domain_type", h.domain_type));
  TERN_RETURN_IF_ERROR(Get(j, "host", "domain_type_reason", h.domain_type_reason));
  TERN_RETURN_IF_ERROR(Get(j, "host", "version", h.version));
  return h;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Status StatusFromErrorJson(int http_status, const std::string& body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    const std::string code = e.value("code", "");
    const std::string message = e.value("message", "");
    for (StatusCode c : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kAlreadyExists,
                         StatusCode::kFailedPrecondition, StatusCode::kUnavailable, StatusCode::kIoError,
                         StatusCode::kPermissionDenied, StatusCode::kInternal}) {
      if (StatusCodeName(c) == code) return {c, message};
    }
    return Status::Internal(message.empty() ? "server error " + std::to_string(http_status) : message);
  }
  return Status::Internal("server answered HTTP " + std::to_string(http_status) + " without an error body");
}

}  // namespace tern::api
