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
