#include "virt/libvirt_hypervisor.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>

#include "virt/domain_xml.h"
#include "virt/libvirt_connection.h"
#include "virt/tern_metadata.h"
#include "virt/typed_params.h"

namespace tern::virt {
namespace {

std::string StateName(int state) {
  switch (state) {
    case VIR_DOMAIN_NOSTATE:
      return "nostate";
    case VIR_DOMAIN_RUNNING:
      return "running";
    case VIR_DOMAIN_BLOCKED:
      return "blocked";
    case VIR_DOMAIN_PAUSED:
      return "paused";
    case VIR_DOMAIN_SHUTDOWN:
      return "shutdown";
    case VIR_DOMAIN_SHUTOFF:
      return "shutoff";
    case VIR_DOMAIN_CRASHED:
      return "crashed";
    case VIR_DOMAIN_PMSUSPENDED:
      return "pmsuspended";
    default:
      return "unknown";
  }
}

std::string UuidOf(virDomainPtr dom) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {};
  if (virDomainGetUUIDString(dom, uuid) < 0) return {};
  return uuid;
}

// Frees a typed parameter list filled by libvirt.
struct TypedParams {
  virTypedParameterPtr params = nullptr;
  int n = 0;
  int max = 0;
  TypedParams() = default;
  TypedParams(const TypedParams&) = delete;
  TypedParams& operator=(const TypedParams&) = delete;
  ~TypedParams() { virTypedParamsFree(params, n); }
};

// Polls the current job's statistics every 200 ms and reports them until stopped.
class ProgressPoller {
 public:
  ProgressPoller(virDomainPtr dom, std::function<void(const MigrationProgress&)> report)
      : dom_(dom), report_(std::move(report)) {
    if (report_) thread_ = std::thread([this] { Run(); });
  }
  ProgressPoller(const ProgressPoller&) = delete;
  ProgressPoller& operator=(const ProgressPoller&) = delete;
  ~ProgressPoller() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_; })) {
      lock.unlock();
      TypedParams stats;
      int type = VIR_DOMAIN_JOB_NONE;
      if (virDomainGetJobStats(dom_, &type, &stats.params, &stats.n, 0) == 0 && type != VIR_DOMAIN_JOB_NONE)
        report_(MigrationProgressFromJobStats(NumericTypedParams(stats.params, stats.n)));
      lock.lock();
    }
  }

  virDomainPtr dom_;
  std::function<void(const MigrationProgress&)> report_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

class LibvirtHypervisor final : public Hypervisor {
 public:
  explicit LibvirtHypervisor(std::unique_ptr<LibvirtConnection> connection) : conn_(std::move(connection)) {}

  Result<std::string> Hostname() override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    char* name = virConnectGetHostname(session->conn.get());
    if (name == nullptr) return Fail(session, "cannot read the hostname of " + uri());
    std::string out = name;
    std::free(name);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libvirt
    return out;
  }

  Status Define(const DomainSpec& spec) override {
    TERN_RETURN_IF_ERROR(ValidateDomainSpec(spec));
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    DomainHandle existing(virDomainLookupByName(session->conn.get(), spec.name.c_str()));
    if (existing) return Status::AlreadyExists("domain '" + spec.name + "' already exists at " + uri());
    return DefineOn(session, RenderDomainXml(spec), "domain '" + spec.name + "'");
  }

  Status DefineXml(const std::string& xml) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    return DefineOn(session, xml, "domain XML");
  }

  Status Start(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    if (virDomainCreate(dom.get()) < 0)
      return Fail(session, "cannot start domain '" + name + "' at " + uri());
    return Status::Ok();
  }

  Status Destroy(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    if (virDomainIsActive(dom.get()) == 0) return Status::Ok();
    if (virDomainDestroy(dom.get()) < 0) {
      Status error = Fail(session, "cannot destroy domain '" + name + "' at " + uri());
      if (virDomainIsActive(dom.get()) == 0) return Status::Ok();  // it stopped meanwhile
      return error;
    }
    return Status::Ok();
  }

  Status Undefine(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                     VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    if (virDomainUndefineFlags(dom.get(), flags) < 0)
      return Fail(session, "cannot undefine domain '" + name + "' at " + uri());
    return Status::Ok();
  }

  Result<DomainInfo> Lookup(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    return Describe(session, dom.get(), name);
  }

  Result<std::vector<DomainInfo>> ListDomains() override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    virDomainPtr* list = nullptr;
    int n = virConnectListAllDomains(session->conn.get(), &list, 0);
    if (n < 0) return Fail(session, "cannot list domains at " + uri());
    std::vector<DomainHandle> doms;
    for (int i = 0; i < n; ++i) doms.emplace_back(list[i]);
    std::free(list);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libvirt
    std::vector<DomainInfo> out;
    for (const auto& dom : doms) {
      const char* name = virDomainGetName(dom.get());
      auto info = Describe(session, dom.get(), name != nullptr ? name : "?");
      if (info.ok()) out.push_back(std::move(info).value());  // else it vanished meanwhile
    }
    return out;
  }

  Result<std::string> DomainXml(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    char* xml = virDomainGetXMLDesc(dom.get(), 0);
    if (xml == nullptr) return Fail(session, "cannot read the XML of domain '" + name + "' at " + uri());
    std::string out = xml;
    std::free(xml);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libvirt
    return out;
  }

  Result<std::string> MigratableDomainXml(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    char* xml = virDomainGetXMLDesc(dom.get(), VIR_DOMAIN_XML_MIGRATABLE);
    if (xml == nullptr) return Fail(session, "cannot read the XML of domain '" + name + "' at " + uri());
    std::string out = xml;
    std::free(xml);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libvirt
    return out;
  }

  Result<std::map<std::string, std::string>> GetTernMetadata(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    char* xml = virDomainGetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT, kTernMetadataNamespace,
                                     VIR_DOMAIN_AFFECT_CURRENT);
    if (xml == nullptr) {
      virErrorPtr err = virGetLastError();
      if (err != nullptr && err->code == VIR_ERR_NO_DOMAIN_METADATA) {
        virResetLastError();
        return std::map<std::string, std::string>{};
      }
      return Fail(session, "cannot read tern metadata of domain '" + name + "' at " + uri());
    }
    std::string text = xml;
    std::free(xml);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libvirt
    return ParseTernMetadataXml(text, "domain '" + name + "' at " + uri());
  }

  Status SetTernMetadata(const std::string& name, const std::map<std::string, std::string>& values) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    const std::string xml = RenderTernMetadataXml(values);
    if (virDomainSetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT, xml.c_str(), "tern",
                             kTernMetadataNamespace, AffectFlags(dom.get())) < 0) {
      return Fail(session, "cannot set tern metadata of domain '" + name + "' at " + uri());
    }
    return Status::Ok();
  }

  Status ChangeMedia(const std::string& name, const CdromSpec& cdrom) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    unsigned flags = AffectFlags(dom.get()) | VIR_DOMAIN_DEVICE_MODIFY_FORCE;
    if (virDomainUpdateDeviceFlags(dom.get(), RenderCdromXml(cdrom).c_str(), flags) < 0) {
      std::string what =
          cdrom.source.empty() ? "eject the CD-ROM" : "insert '" + cdrom.source + "' into the CD-ROM";
      return Fail(session,
                  "cannot " + what + " '" + cdrom.target_dev + "' of domain '" + name + "' at " + uri());
    }
    return Status::Ok();
  }

  Status AttachCdrom(const std::string& name, const CdromSpec& cdrom) override {
    if (cdrom.bus != "scsi")
      return Status::InvalidArgument("cannot hot-plug CD-ROM '" + cdrom.target_dev + "' into domain '" +
                                     name + "': bus '" + cdrom.bus + "' is not hot-pluggable (use scsi)");
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    if (virDomainAttachDeviceFlags(dom.get(), RenderCdromXml(cdrom).c_str(), AffectFlags(dom.get())) < 0)
      return Fail(session,
                  "cannot attach CD-ROM '" + cdrom.target_dev + "' to domain '" + name + "' at " + uri());
    return Status::Ok();
  }

  Status DetachCdrom(const std::string& name, const std::string& target_dev) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    std::string xml = RenderCdromXml(CdromSpec{target_dev, "scsi", ""});
    if (virDomainDetachDeviceFlags(dom.get(), xml.c_str(), AffectFlags(dom.get())) < 0)
      return Fail(session,
                  "cannot detach CD-ROM '" + target_dev + "' from domain '" + name + "' at " + uri());
    return Status::Ok();
  }

  Result<DomainStats> Stats(const std::string& name) override {
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    virDomainPtr doms[] = {dom.get(), nullptr};
    virDomainStatsRecordPtr* records = nullptr;
    int n = virDomainListGetStats(doms, 0, &records, 0);
    if (n < 0) return Fail(session, "cannot read statistics of domain '" + name + "' at " + uri());
    DomainStats out;
    if (n > 0) out.values = NumericTypedParams(records[0]->params, records[0]->nparams);
    virDomainStatsRecordListFree(records);
    return out;
  }

  Result<MigrationResult> Migrate(const std::string& name, const MigrationOptions& opts) override {
    TERN_RETURN_IF_ERROR(ValidateMigrationOptions(name, opts));
    TERN_ASSIGN_OR_RETURN(auto session, conn_->Get());
    TERN_ASSIGN_OR_RETURN(auto dom, Find(session, name));
    const std::string what = "cannot migrate domain '" + name + "' from " + uri() + " to " + opts.dest_uri;

    unsigned flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER;
    if (opts.copy_storage_all) flags |= VIR_MIGRATE_NON_SHARED_DISK;
    if (opts.persistent) flags |= VIR_MIGRATE_PERSIST_DEST;
    if (opts.undefine_source) flags |= VIR_MIGRATE_UNDEFINE_SOURCE;
    if (opts.parallel_connections > 0) flags |= VIR_MIGRATE_PARALLEL;

    TypedParams params;
    if (!opts.migrate_uri.empty() &&
        virTypedParamsAddString(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_URI,
                                opts.migrate_uri.c_str()) < 0)
      return Status::Internal(what + ": cannot build migration parameters");
    if (!opts.dest_xml.empty()) {
      if (virTypedParamsAddString(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_DEST_XML,
                                  opts.dest_xml.c_str()) < 0)
        return Status::Internal(what + ": cannot build migration parameters");
      // Without it the destination's persistent config would be the source's (old CD-ROM paths).
      if (opts.persistent &&
          virTypedParamsAddString(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_PERSIST_XML,
                                  opts.dest_xml.c_str()) < 0)
        return Status::Internal(what + ": cannot build migration parameters");
    }
    if (!opts.listen_address.empty() &&
        virTypedParamsAddString(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                opts.listen_address.c_str()) < 0)
      return Status::Internal(what + ": cannot build migration parameters");
    if (opts.disks_port != 0 && virTypedParamsAddInt(&params.params, &params.n, &params.max,
                                                     VIR_MIGRATE_PARAM_DISKS_PORT, opts.disks_port) < 0)
      return Status::Internal(what + ": cannot build migration parameters");
    if (!opts.disks_uri.empty() &&
        virTypedParamsAddString(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_DISKS_URI,
                                opts.disks_uri.c_str()) < 0)
      return Status::Internal(what + ": cannot build migration parameters");
    if (opts.parallel_connections > 0 &&
        virTypedParamsAddInt(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                             opts.parallel_connections) < 0)
      return Status::Internal(what + ": cannot build migration parameters");
    if (opts.bandwidth_mib_s > 0 &&
        virTypedParamsAddULLong(&params.params, &params.n, &params.max, VIR_MIGRATE_PARAM_BANDWIDTH,
                                opts.bandwidth_mib_s) < 0)
      return Status::Internal(what + ": cannot build migration parameters");

    const std::string uuid = UuidOf(dom.get());
    conn_->sink().ForgetJobCompleted(uuid);
    const auto started = std::chrono::steady_clock::now();
    int rc;
    Status error;
    {
      ProgressPoller poller(dom.get(), opts.on_progress);
      rc = virDomainMigrateToURI3(dom.get(), opts.dest_uri.c_str(), params.params, params.n, flags);
      if (rc < 0) error = LastLibvirtError(what);
    }
    if (rc < 0) return conn_->Classify(session, error);

    // The source keeps completed job statistics while the domain object exists (not with UNDEFINE_SOURCE);
    // else the JOB_COMPLETED event carries the same fields.
    std::optional<MigrationResult> result;
    TypedParams job;
    int type = VIR_DOMAIN_JOB_NONE;
    if (virDomainGetJobStats(dom.get(), &type, &job.params, &job.n, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0)
      result = MigrationResultFromJobStats(NumericTypedParams(job.params, job.n));
    if (!result) {
      auto stats = conn_->sink().TakeJobCompleted(uuid, std::chrono::seconds(5));
      if (stats) result = MigrationResultFromJobStats(*stats);
    }
    conn_->sink().ForgetJobCompleted(uuid);
    if (!result) {  // statistics lost (e.g. a libvirtd restart): at least the time as seen from here
      result = MigrationResult{};
      result->total_ms = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
              .count());
    }
    return *result;
  }

  void SetEventHandler(std::function<void(const DomainEvent&)> handler) override {
    conn_->SetEventHandler(std::move(handler));
  }

 private:
  const std::string& uri() const { return conn_->uri(); }

  Status Fail(const std::shared_ptr<Session>& session, const std::string& what) {
    return conn_->Classify(session, LastLibvirtError(what));
  }

  Result<DomainHandle> Find(const std::shared_ptr<Session>& session, const std::string& name) {
    DomainHandle dom(virDomainLookupByName(session->conn.get(), name.c_str()));
    if (!dom) {
      Status error = Fail(session, "domain '" + name + "' at " + uri());
      if (error.code() == StatusCode::kNotFound)
        return Status::NotFound("domain '" + name + "' does not exist at " + uri());
      return error;
    }
    return dom;
  }

  Status DefineOn(const std::shared_ptr<Session>& session, const std::string& xml, const std::string& what) {
    DomainHandle dom(virDomainDefineXMLFlags(session->conn.get(), xml.c_str(), VIR_DOMAIN_DEFINE_VALIDATE));
    if (!dom) return Fail(session, "cannot define " + what + " at " + uri());
    return Status::Ok();
  }

  Result<DomainInfo> Describe(const std::shared_ptr<Session>& session, virDomainPtr dom,
                              const std::string& name) {
    DomainInfo info;
    const char* real_name = virDomainGetName(dom);
    info.name = real_name != nullptr ? real_name : name;
    info.uuid = UuidOf(dom);
    int state = VIR_DOMAIN_NOSTATE;
    int reason = 0;
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
      return Fail(session, "cannot read the state of domain '" + name + "' at " + uri());
    info.state = StateName(state);
    info.active = virDomainIsActive(dom) == 1;
    info.persistent = virDomainIsPersistent(dom) == 1;
    return info;
  }

  // Live when running, config when persistent.
  static unsigned AffectFlags(virDomainPtr dom) {
    unsigned flags = 0;
    if (virDomainIsActive(dom) == 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (virDomainIsPersistent(dom) == 1) flags |= VIR_DOMAIN_AFFECT_CONFIG;
    return flags;
  }

  std::unique_ptr<LibvirtConnection> conn_;
};

}  // namespace

Result<std::unique_ptr<Hypervisor>> ConnectLibvirt(const LibvirtOptions& opts) {
  TERN_ASSIGN_OR_RETURN(auto connection, LibvirtConnection::Open(opts));
  return std::unique_ptr<Hypervisor>(std::make_unique<LibvirtHypervisor>(std::move(connection)));
}

}  // namespace tern::virt
