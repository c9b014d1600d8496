// Plain records ternd keeps about its VMs: the VM itself, its context layers and its event history.
#pragma once

#include <cstdint>
#include <string>

namespace tern::store {

struct VmRecord {
  std::string name;
  std::string uuid;
  std::string host;   // the tern host name the VM runs on
  std::string state;  // running | paused | shutoff | missing | ...
  std::string manifest_source;
  std::string instance_id;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct LayerRecord {
  std::string vm;
  std::string class_name;
  int priority = 0;
  uint64_t generation = 0;
  std::string origin;
  std::string iso_path;
  std::string target_dev;  // the CD-ROM that carries it
  int64_t changed_at_ms = 0;
  std::string reason;  // why it last changed: "deploy", "recontext", "migration" ...
  std::string digest;  // recontext::LayerDigest of its content (generation aside)
};

// A VM that left this host (migrated away); kept so that questions about it get a useful answer.
struct DepartureRecord {
  std::string vm;
  std::string uuid;
  std::string to_host;  // "" when unknown (a migration tern did not start)
  int64_t at_ms = 0;
};

struct EventRecord {
  int64_t id = 0;
  std::string vm;
  int64_t at_ms = 0;
  std::string kind;    // "lifecycle", "deploy", "destroy", ...
  std::string detail;  // e.g. "RESUMED/MIGRATED"
};

}  // namespace tern::store
