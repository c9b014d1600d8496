// The Hypervisor port: everything tern does to one host's hypervisor. One real implementation (libvirt,
// libvirt_hypervisor.h); tests of logic use fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "virt/domain_event.h"
#include "virt/domain_spec.h"

namespace tern::virt {

struct DomainInfo {
  std::string name;
  std::string uuid;
  std::string state;  // nostate | running | blocked | paused | shutdown | shutoff | crashed | pmsuspended
  bool active = false;
  bool persistent = false;
};

// Numeric fields of virDomainListGetStats: "state.state", "cpu.time", "balloon.current", "vcpu.current",
// "block.0.rd.bytes", "net.0.rx.bytes", ... (strings such as block.0.name are left out).
struct DomainStats {
  std::map<std::string, double> values;
};

struct MigrationProgress {
  uint64_t data_total = 0, data_processed = 0, data_remaining = 0;
  uint64_t elapsed_ms = 0;
};

struct MigrationOptions {
  std::string dest_uri;     // libvirt URI of the destination, e.g. qemu+tcp://10.0.0.2/system
  std::string migrate_uri;  // optional data URI (tcp://HOST:PORT, unix:///PATH)
  bool copy_storage_all = false;
  bool persistent = true;
  bool undefine_source = true;
  std::string
      dest_xml;  // optional XML for the destination (e.g. other CD-ROM paths); also its persistent config
  uint64_t bandwidth_mib_s = 0;
  // Called about every 200 ms while the migration runs, on a thread of the Migrate call.
  std::function<void(const MigrationProgress&)> on_progress;
};

// From the completed job's statistics (VIR_DOMAIN_JOB_STATS_COMPLETED, or the JOB_COMPLETED event).
struct MigrationResult {
  uint64_t total_ms = 0;
  uint64_t downtime_ms = 0;
  uint64_t bytes = 0;  // memory + disk bytes processed
};

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;
  virtual Result<std::string> Hostname() = 0;
  virtual Status Define(const DomainSpec& spec) = 0;  // AlreadyExists when the name exists
  virtual Status DefineXml(const std::string& xml) = 0;
  virtual Status Start(const std::string& name) = 0;
  virtual Status Destroy(const std::string& name) = 0;             // ok if not running; NotFound when absent
  virtual Status Undefine(const std::string& name) = 0;            // NotFound when absent
  virtual Result<DomainInfo> Lookup(const std::string& name) = 0;  // NotFound when absent
  virtual Result<std::vector<DomainInfo>> ListDomains() = 0;
  virtual Result<std::string> DomainXml(const std::string& name) = 0;
  // The XML to hand a migration's destination (libvirt's migratable form: no runtime-only elements).
  virtual Result<std::string> MigratableDomainXml(const std::string& name) = 0;
  // tern's metadata (<tern:vm> in the domain's <metadata>): key -> value; empty when the domain has none.
  virtual Result<std::map<std::string, std::string>> GetTernMetadata(const std::string& name) = 0;
  // Replaces tern's metadata, live and in the persistent config.
  virtual Status SetTernMetadata(const std::string& name,
                                 const std::map<std::string, std::string>& values) = 0;
  // Eject (source empty) or insert/replace, live (and config if persistent), forced even if the guest locked
  // the tray.
  virtual Status ChangeMedia(const std::string& name, const CdromSpec& cdrom) = 0;
  virtual Status AttachCdrom(const std::string& name, const CdromSpec& cdrom) = 0;  // hot-plug, SCSI only
  virtual Status DetachCdrom(const std::string& name, const std::string& target_dev) = 0;
  virtual Result<DomainStats> Stats(const std::string& name) = 0;
  // Live, peer-to-peer; on failure the domain keeps running at the source.
  virtual Result<MigrationResult> Migrate(const std::string& name, const MigrationOptions& opts) = 0;
  // Lifecycle events for all domains, delivered on the port's own event thread (one at a time, in order).
  // Replaces the previous handler; an empty function drops events.
  virtual void SetEventHandler(std::function<void(const DomainEvent&)> handler) = 0;
};

}  // namespace tern::virt
