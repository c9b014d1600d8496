// FakeVmService: an in-memory VmService for API tests.
#pragma once

#include <map>

#include "api/vm_service.h"

namespace tern::api {

class FakeVmService : public VmService {
 public:
  Result<HostView> Host() override {
    return HostView{"h1", "node-1", "qemu:///system", "qemu", "probe", "0.1"};
  }
  Result<VmView> Deploy(const DeployRequest& r) override {
    if (r.manifest.find("bad") != std::string::npos)
      return Status::InvalidArgument(r.source + ": vm.name: bad");
    VmView v{"web1",
             "u-1",
             "h1",
             "running",
             r.source,
             7,
             {{"service", 10, 1, "manifest", "sda", "/x.iso", 7, "deploy"}}};
    if (vms.count(v.name) != 0) return Status::AlreadyExists("vm 'web1' exists");
    vms[v.name] = v;
    return v;
  }
  Result<std::vector<VmView>> List() override {
    std::vector<VmView> out;
    for (auto& [k, v] : vms) out.push_back(v);
    return out;
  }
  Result<VmView> Show(const std::string& name) override {
    auto it = vms.find(name);
    if (it == vms.end()) return Status::NotFound("vm '" + name + "' is not known");
    return it->second;
  }
  Status Destroy(const std::string& name) override {
    if (vms.erase(name) == 0) return Status::NotFound("vm '" + name + "' is not known");
    return Status::Ok();
  }
  Result<std::vector<EventView>> Events(const std::string& name, int limit) override {
    if (vms.count(name) == 0) return Status::NotFound("vm '" + name + "' is not known");
    last_limit = limit;
    return std::vector<EventView>{{1, "deploy", "ok"}};
  }
  Result<RecontextView> Recontext(const std::string& name, const std::string& cls) override {
    if (vms.count(name) == 0) return Status::NotFound("vm '" + name + "' is not known");
    return RecontextView{cls, 2, 0.1, 0, 40, 30, true, "x"};
  }
  Result<MigrationView> Migrate(const std::string& name, const std::string& to) override {
    if (vms.count(name) == 0) return Status::NotFound("vm '" + name + "' is not known");
    MigrationView m;
    m.id = "m1";
    m.vm = name;
    m.to = to;
    m.state = "preparing";
    return m;
  }
  Result<MigrationView> GetMigration(const std::string& id) override {
    if (id != "m1") return Status::NotFound("no migration " + id);
    MigrationView m;
    m.id = id;
    m.state = "succeeded";
    return m;
  }
  Result<IncomingView> PrepareIncoming(const IncomingRequest& r) override {
    IncomingView v;
    for (const auto& l : r.layers) v.paths[l.source_path] = "/dst/" + l.class_name;
    return v;
  }
  Status AbortIncoming(const std::string&) override { return Status::Ok(); }
  std::map<std::string, VmView> vms;
  int last_limit = 0;
};

}  // namespace tern::api
