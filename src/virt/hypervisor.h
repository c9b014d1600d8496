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
  // libvirt URI of the destination, which the source's libvirtd dials (p2p), e.g. qemu+tcp://10.0.0.2/system,
  // or a relay in front of it (qemu+tcp://RELAY:PORT/system).
  std::string dest_uri;
  // Optional URI of QEMU's migration stream (tcp://HOST:PORT, unix:///PATH). The source dials it and the
  // destination listens on its port (or path): a relay in between must end at the same port.
  std::string migrate_uri;
  // Overrides for migrations relayed through forwarders (docs/cross-site-migration.md); empty/0: libvirt's
  // defaults.
  std::string
      listen_address;  // what the destination's QEMU and NBD server bind (VIR_MIGRATE_PARAM_LISTEN_ADDRESS)
  int disks_port = 0;  // the destination's NBD port; the source dials it at migrate_uri's host
  std::string disks_uri;  // NBD URI for both ends (tcp://HOST:PORT bound by the destination, unix:///PATH)
  bool copy_storage_all = false;
  bool persistent = true;
  bool undefine_source = true;
  std::string
      dest_xml;  // optional XML for the destination (e.g. other CD-ROM paths); also its persistent config
  uint64_t bandwidth_mib_s = 0;
  // > 0: QEMU multifd (VIR_MIGRATE_PARALLEL) with this many memory channels, all dialled at migrate_uri (a
  // relay there must accept several connections). Compression of the channels is not settable through
  // libvirt 9.0 (docs/cross-site-migration.md, "multifd + zstd").
  int parallel_connections = 0;
  // Called about every 200 ms while the migration runs, on a thread of the Migrate call.
  std::function<void(const MigrationProgress&)> on_progress;
};

// From the completed job's statistics (VIR_DOMAIN_JOB_STATS_COMPLETED, or the JOB_COMPLETED event).
struct MigrationResult {
  uint64_t total_ms = 0;
  uint64_t downtime_ms = 0;
  uint64_t bytes = 0;  // memory + disk bytes processed
};

// Checks what libvirt would reject late or silently ignore: disks_port and disks_uri together, either without
// copy_storage_all, a port out of range, a disks_uri that is not tcp:// or unix://. Errors name the domain.
Status ValidateMigrationOptions(const std::string& name, const MigrationOptions& opts);

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
  // Live, peer-to-peer; on failure the domain keeps running at the source. InvalidArgument for inconsistent
  // options (ValidateMigrationOptions).
  virtual Result<MigrationResult> Migrate(const std::string& name, const MigrationOptions& opts) = 0;
  // Lifecycle events for all domains, delivered on the port's own event thread (one at a time, in order).
  // Replaces the previous handler; an empty function drops events.
  virtual void SetEventHandler(std::function<void(const DomainEvent&)> handler) = 0;
};

}  // namespace tern::virt
