// Request and response types of tern's HTTP/JSON API, with their JSON encodings (shared by server and CLI).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/net_types.h"
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

// The outcome of one layer swap (tern vm recontext, or a swap on arrival).
struct RecontextView {
  std::string class_name;
  uint64_t generation = 0;
  double resolve_ms = 0, build_ms = 0, detach_ms = 0, attach_ms = 0;
  bool prebuilt = false;
  std::string summary;  // human-readable, with all phases
};

// A live migration between hosts of a site, as the source's ternd tracks it.
struct MigrationView {
  std::string id;
  std::string vm;
  std::string from;
  std::string to;
  std::string state;  // preparing | migrating | succeeded | failed
  uint64_t data_total = 0, data_processed = 0, data_remaining = 0, elapsed_ms = 0;
  uint64_t total_ms = 0, downtime_ms = 0, bytes = 0;
  std::string error;
};

// Peer call: the source ternd asks the destination ternd to get ready for a VM (copies of its context images,
// empty disks of the right size, the next infrastructure image built ahead).
struct IncomingLayer {
  std::string class_name;
  int priority = 0;
  uint64_t generation = 0;
  std::string origin;
  std::string device;
  std::string digest;
  std::string source_path;  // the image's path at the source (to be mapped)
  std::string iso_base64;
  int64_t changed_at_ms = 0;
  std::string reason;
};
struct IncomingDisk {
  std::string source_path;
  std::string format;
  uint64_t virtual_size = 0;
};
struct IncomingRequest {
  std::string vm;
  std::string uuid;
  std::string instance_id;
  std::string manifest_source;
  int64_t created_at_ms = 0;
  std::string from_host;
  std::string serial_log;  // the source's path (mapped to the destination's)
  std::vector<IncomingLayer> layers;
  std::vector<IncomingDisk> disks;
  std::vector<NetPortView> net_ports = {};  // its NICs on tern networks, with the source's UDP ports
};
struct IncomingView {
  std::map<std::string, std::string> paths;  // source path -> destination path
  std::vector<NetPortView> net_ports = {};   // the destination's UDP ports, in the request's order
};

nlohmann::json ToJson(const DeployRequest& r);
nlohmann::json ToJson(const RecontextView& r);
nlohmann::json ToJson(const MigrationView& m);
nlohmann::json ToJson(const IncomingRequest& r);
nlohmann::json ToJson(const IncomingView& v);
Result<RecontextView> RecontextViewFromJson(const nlohmann::json& j);
Result<MigrationView> MigrationViewFromJson(const nlohmann::json& j);
Result<IncomingRequest> IncomingRequestFromJson(const nlohmann::json& j);
Result<IncomingView> IncomingViewFromJson(const nlohmann::json& j);
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
