// Request and response types of tern's HTTP/JSON API, with their JSON encodings (shared by server and CLI).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace tern::api {

struct DeployRequest {
  std::string manifest;  // the manifest's YAML text
  std::string source;    // where it came from (absolute path), for messages and records
  std::string base_dir;  // directory that relative paths in the manifest resolve against (on the host)
};

struct LayerView {
  std::string class_name;
  int priority = 0;
  uint64_t generation = 0;
  std::string origin;
  std::string device;
  std::string iso_path;
  int64_t changed_at_ms = 0;
  std::string reason;
};

struct VmView {
  std::string name;
  std::string uuid;
  std::string host;
  std::string state;
  std::string manifest_source;
  int64_t created_at_ms = 0;
  std::vector<LayerView> layers;
};

struct EventView {
  int64_t at_ms = 0;
  std::string kind;
  std::string detail;
};

struct HostView {
  std::string name;
  std::string hostname;
  std::string libvirt_uri;
  std::string domain_type;
  std::string domain_type_reason;
  std::string version;
};

nlohmann::json ToJson(const DeployRequest& r);
nlohmann::json ToJson(const LayerView& l);
nlohmann::json ToJson(const VmView& v);
nlohmann::json ToJson(const EventView& e);
nlohmann::json ToJson(const HostView& h);
nlohmann::json ErrorJson(const Status& s);

// Decoders check every field's presence and type; the error names the field.
Result<DeployRequest> DeployRequestFromJson(const nlohmann::json& j);
Result<VmView> VmViewFromJson(const nlohmann::json& j);
Result<EventView> EventViewFromJson(const nlohmann::json& j);
Result<HostView> HostViewFromJson(const nlohmann::json& j);
// Turns an error body {"error":{"code":..,"message":..}} back into a Status.
Status StatusFromErrorJson(int http_status, const std::string& body);

int HttpStatusFor(StatusCode code);

}  // namespace tern::api
