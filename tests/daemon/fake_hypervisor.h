// FakeHypervisor: an in-memory virt::Hypervisor for tests of the daemon's logic (no libvirt). Domains follow
// libvirt's rules closely enough for the host service: Define makes a persistent, inactive domain; Start
// makes it active; Destroy stops it (and removes it if it is transient); Undefine removes an inactive domain
// and makes an active one transient. Knobs make single operations fail; every call is recorded ("Define
// web1", ...). Lifecycle events are delivered synchronously on the caller's thread, to the handler set with
// SetEventHandler, when emit_events is set (or explicitly with Emit).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "virt/domain_xml.h"
#include "virt/hypervisor.h"

namespace tern::daemon::testing {

class FakeHypervisor : public virt::Hypervisor {
 public:
  struct Domain {
    virt::DomainInfo info;
    virt::DomainSpec spec;  // what Define was given (empty for domains added with AddForeign)
    std::string xml;        // what DefineXml was given
  };

  // ---- knobs (set before the call they affect) ----
  std::optional<Status> fail_define, fail_start, fail_destroy, fail_undefine, fail_lookup, fail_hostname;
  bool emit_events = false;  // Define/Start/Destroy/Undefine emit lifecycle events like libvirt does
  std::string hostname = "fake-node";

  // ---- test helpers ----
  // A domain tern did not create (e.g. defined with virsh).
  void AddForeign(const std::string& name, const std::string& state = "running") {
    std::lock_guard lock(mu_);
    Domain d;
    d.info = {name, "foreign-uuid-" + name, state, state == "running" || state == "paused", true};
    domains_[name] = d;
  }
  // The domain disappears behind tern's back.
  void Vanish(const std::string& name) {
    std::lock_guard lock(mu_);
    domains_.erase(name);
  }
  void SetState(const std::string& name, const std::string& state) {
    std::lock_guard lock(mu_);
    auto it = domains_.find(name);
    if (it == domains_.end()) return;
    it->second.info.state = state;
    it->second.info.active = state != "shutoff" && state != "crashed";
  }
  bool Has(const std::string& name) {
    std::lock_guard lock(mu_);
    return domains_.count(name) != 0;
  }
  std::optional<Domain> Get(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = domains_.find(name);
    if (it == domains_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  size_t CallCount(const std::string& call) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& c : calls_) n += c == call ? 1 : 0;
    return n;
  }
  // Delivers a lifecycle event to the handler (as libvirt's event thread would).
  void Emit(const virt::DomainEvent& e) {
    std::function<void(const virt::DomainEvent&)> h;
    {
      std::lock_guard lock(mu_);
      h = handler_;
    }
    if (h) h(e);
  }

  // ---- virt::Hypervisor ----
  Result<std::string> Hostname() override {
    Record("Hostname");
    if (fail_hostname) return *fail_hostname;
    return hostname;
  }

  Status Define(const virt::DomainSpec& spec) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back("Define " + spec.name);
      if (fail_define) return *fail_define;
      if (Status s = virt::ValidateDomainSpec(spec); !s.ok()) return s;
      if (domains_.count(spec.name) != 0) {
        return Status::AlreadyExists("domain '" + spec.name + "' already exists");
      }
      Domain d;
      d.info = {spec.name, spec.uuid.empty() ? "generated-" + spec.name : spec.uuid, "shutoff", false, true};
      d.spec = spec;
      domains_[spec.name] = d;
    }
    EmitIf(spec.name, 0, 0);  // DEFINED/ADDED
    return Status::Ok();
  }

  Status DefineXml(const std::string& xml) override {
    std::lock_guard lock(mu_);
    calls_.push_back("DefineXml");
    if (fail_define) return *fail_define;
    // Minimal: the name is whatever sits between the first <name> and </name>.
    const auto b = xml.find("<name>");
    const auto e = xml.find("</name>");
    if (b == std::string::npos || e == std::string::npos || e < b) {
      return Status::InvalidArgument("domain XML without a name");
    }
    const std::string name = xml.substr(b + 6, e - b - 6);
    Domain& d = domains_[name];
    d.info.name = name;
    d.info.persistent = true;
    if (d.info.state.empty()) d.info.state = "shutoff";
    d.xml = xml;
    return Status::Ok();
  }

  Status Start(const std::string& name) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back("Start " + name);
      if (fail_start) return *fail_start;
      auto it = domains_.find(name);
      if (it == domains_.end()) return NotFoundLocked(name);
      if (it->second.info.active)
        return Status::FailedPrecondition("domain '" + name + "' is already running");
      it->second.info.active = true;
      it->second.info.state = "running";
    }
    EmitIf(name, 2, 0);  // STARTED/BOOTED
    return Status::Ok();
  }

  Status Destroy(const std::string& name) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back("Destroy " + name);
      if (fail_destroy) return *fail_destroy;
      auto it = domains_.find(name);
      if (it == domains_.end()) return NotFoundLocked(name);
      if (!it->second.info.active) return Status::Ok();
      it->second.info.active = false;
      it->second.info.state = "shutoff";
      if (!it->second.info.persistent) domains_.erase(it);
    }
    EmitIf(name, 5, 1);  // STOPPED/DESTROYED
    return Status::Ok();
  }

  Status Undefine(const std::string& name) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back("Undefine " + name);
      if (fail_undefine) return *fail_undefine;
      auto it = domains_.find(name);
      if (it == domains_.end() || !it->second.info.persistent) return NotFoundLocked(name);
      if (it->second.info.active) {
        it->second.info.persistent = false;  // libvirt: a running domain becomes transient
      } else {
        domains_.erase(it);
      }
    }
    EmitIf(name, 1, 0);  // UNDEFINED/REMOVED
    return Status::Ok();
  }

  Result<virt::DomainInfo> Lookup(const std::string& name) override {
    std::lock_guard lock(mu_);
    calls_.push_back("Lookup " + name);
    if (fail_lookup) return *fail_lookup;
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    return it->second.info;
  }

  Result<std::vector<virt::DomainInfo>> ListDomains() override {
    std::lock_guard lock(mu_);
    calls_.push_back("ListDomains");
    if (fail_lookup) return *fail_lookup;
    std::vector<virt::DomainInfo> out;
    for (const auto& [n, d] : domains_) out.push_back(d.info);
    return out;
  }

  Result<std::string> DomainXml(const std::string& name) override {
    std::lock_guard lock(mu_);
    calls_.push_back("DomainXml " + name);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    if (!it->second.xml.empty()) return it->second.xml;
    if (!it->second.spec.name.empty()) return virt::RenderDomainXml(it->second.spec);
    return "<domain><name>" + name + "</name></domain>";
  }

  Result<std::string> MigratableDomainXml(const std::string& name) override { return DomainXml(name); }

  Result<std::map<std::string, std::string>> GetTernMetadata(const std::string& name) override {
    std::lock_guard lock(mu_);
    calls_.push_back("GetTernMetadata " + name);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    return it->second.spec.metadata;
  }

  Status SetTernMetadata(const std::string& name, const std::map<std::string, std::string>& values) override {
    std::lock_guard lock(mu_);
    calls_.push_back("SetTernMetadata " + name);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    it->second.spec.metadata = values;
    return Status::Ok();
  }

  Status ChangeMedia(const std::string& name, const virt::CdromSpec& cdrom) override {
    std::lock_guard lock(mu_);
    calls_.push_back("ChangeMedia " + name + " " + cdrom.target_dev);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    for (auto& c : it->second.spec.cdroms) {
      if (c.target_dev == cdrom.target_dev) {
        c.source = cdrom.source;
        return Status::Ok();
      }
    }
    return Status::NotFound("domain '" + name + "' has no CD-ROM " + cdrom.target_dev);
  }

  Status AttachCdrom(const std::string& name, const virt::CdromSpec& cdrom) override {
    std::lock_guard lock(mu_);
    calls_.push_back("AttachCdrom " + name + " " + cdrom.target_dev);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    if (cdrom.bus != "scsi") return Status::InvalidArgument("hot-plug of CD-ROMs is SCSI only");
    for (const auto& c : it->second.spec.cdroms) {
      if (c.target_dev == cdrom.target_dev)
        return Status::AlreadyExists("CD-ROM " + cdrom.target_dev + " exists");
    }
    it->second.spec.cdroms.push_back(cdrom);
    return Status::Ok();
  }

  Status DetachCdrom(const std::string& name, const std::string& target_dev) override {
    std::lock_guard lock(mu_);
    calls_.push_back("DetachCdrom " + name + " " + target_dev);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    auto& cds = it->second.spec.cdroms;
    for (auto c = cds.begin(); c != cds.end(); ++c) {
      if (c->target_dev == target_dev) {
        cds.erase(c);
        return Status::Ok();
      }
    }
    return Status::NotFound("domain '" + name + "' has no CD-ROM " + target_dev);
  }

  Result<virt::DomainStats> Stats(const std::string& name) override {
    std::lock_guard lock(mu_);
    calls_.push_back("Stats " + name);
    auto it = domains_.find(name);
    if (it == domains_.end()) return NotFoundLocked(name);
    virt::DomainStats s;
    s.values["state.state"] = it->second.info.active ? 1 : 5;
    s.values["vcpu.current"] = it->second.spec.vcpus;
    s.values["balloon.current"] = it->second.spec.memory_mib * 1024.0;
    return s;
  }

  Result<virt::MigrationResult> Migrate(const std::string& name,
                                        const virt::MigrationOptions& opts) override {
    std::lock_guard lock(mu_);
    calls_.push_back("Migrate " + name + " " + opts.dest_uri);
    if (domains_.count(name) == 0) return NotFoundLocked(name);
    return Status::Unavailable("the fake hypervisor cannot migrate");
  }

  void SetEventHandler(std::function<void(const virt::DomainEvent&)> handler) override {
    std::lock_guard lock(mu_);
    calls_.push_back("SetEventHandler");
    handler_ = std::move(handler);
  }

 private:
  void Record(const std::string& call) {
    std::lock_guard lock(mu_);
    calls_.push_back(call);
  }
  static Status NotFoundLocked(const std::string& name) {
    return Status::NotFound("domain '" + name + "' does not exist");
  }
  void EmitIf(const std::string& name, int event, int detail) {
    if (!emit_events) return;
    Emit(virt::DecodeLifecycleEvent(name, "", event, detail));
  }

  std::mutex mu_;
  std::map<std::string, Domain> domains_;
  std::vector<std::string> calls_;
  std::function<void(const virt::DomainEvent&)> handler_;
};

}  // namespace tern::daemon::testing
