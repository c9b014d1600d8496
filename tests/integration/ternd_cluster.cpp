#include "ternd_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/files.h"

namespace tern::testing {

std::string BuiltProgram(const std::string& name) {
  return std::string(TERN_BINARY_DIR) + "/apps/" + name;
}

std::string TestGuestDir() {
  const std::string dir = std::string(TERN_BINARY_DIR) + "/test-guest";
  return FileExists(dir + "/vmlinuz") && FileExists(dir + "/initrd.img") ? dir : "";
}

bool IntegrationRequired() {
  const char* v = std::getenv("TERN_REQUIRE_INTEGRATION");
  return v != nullptr && std::string(v) == "1";
}

std::string IntegrationUnavailableReason() {
  if (std::string why = SimHostsUnavailableReason(); !why.empty()) return why;
  if (TestGuestDir().empty())
    return "the test guest is not built (run scripts/build-test-guest " TERN_BINARY_DIR "/test-guest)";
  for (const char* p : {"tern", "ternd"}) {
    if (!FileExists(BuiltProgram(p))) return "program " + BuiltProgram(p) + " is not built";
  }
  return "";
}

Result<std::string> WaitForFileContaining(const std::string& path, const std::string& needle,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string content;
  while (true) {
    auto r = ReadFile(path);
    if (r.ok()) {
      content = *r;
      if (content.find(needle) != std::string::npos) return content;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string tail = content.size() > 2000 ? content.substr(content.size() - 2000) : content;
  return Status::Unavailable("'" + needle + "' did not appear in " + path + " within " +
                             std::to_string(timeout.count()) + " ms; it ends with:\n" + tail);
}

Result<std::unique_ptr<TerndCluster>> TerndCluster::Start(
    int n, const std::vector<std::map<std::string, std::string>>& infra_values,
    const std::string& extra_config, const std::string& domain_type) {
  std::unique_ptr<TerndCluster> c(new TerndCluster());  // NOLINT(cppcoreguidelines-owning-memory)
  TERN_ASSIGN_OR_RETURN(c->hosts_, SimHosts::Start(n));
  const std::string guest = TestGuestDir();
  for (int i = 1; i <= n; ++i) {
    const SimHost& h = c->hosts_->host(i);
    TerndHost t;
    t.name = h.name;
    t.data_dir = h.dir + "/tern";
    t.config = h.dir + "/ternd.yaml";
    t.log = h.dir + "/ternd.log";
    t.api_url = "http://" + h.ip + ":7480";
    std::ostringstream cfg;
    cfg << "host:\n  name: " << h.name << "\nlibvirt:\n  uri: qemu:///system\n  domain_type: " << domain_type
        << "\n"
        << "  probe_kernel: " << guest << "/vmlinuz\n  probe_initrd: " << guest << "/initrd.img\n"
        << "data_dir: " << t.data_dir << "\napi:\n  listen: " << h.ip << ":7480\n"
        << "infrastructure:\n  priority: 20\n  values:\n";
    const auto& values = infra_values.at(static_cast<size_t>(i - 1));
    for (const auto& [k, v] : values) cfg << "    " << k << ": \"" << v << "\"\n";
    if (values.empty()) cfg << "    host: \"" << h.name << "\"\n";
    cfg << extra_config << "peers:\n";
    for (int j = 1; j <= n; ++j) {
      if (j == i) continue;
      const SimHost& p = c->hosts_->host(j);
      cfg << "  - name: " << p.name << "\n    api: \"http://" << p.ip << ":7480\"\n    libvirt: \""
          << p.tcp_uri << "\"\n";
    }
    TERN_RETURN_IF_ERROR(WriteFileAtomic(t.config, cfg.str()));
    c->ternd_.push_back(t);
    TERN_RETURN_IF_ERROR(c->Launch(i));
  }
  for (int i = 1; i <= n; ++i) TERN_RETURN_IF_ERROR(c->WaitReady(i));
  return c;
}

Status TerndCluster::Launch(int i) {
  TerndHost& t = ternd_.at(static_cast<size_t>(i - 1));
  TERN_ASSIGN_OR_RETURN(auto out, hosts_->Exec(i, "nohup " + ShellQuote(BuiltProgram("ternd")) +
                                                      " --config " + ShellQuote(t.config) + " >>" +
                                                      ShellQuote(t.log) + " 2>&1 </dev/null & echo $!"));
  t.pid = std::atoi(out.c_str());
  return Status::Ok();
}

Status TerndCluster::WaitReady(int i) {
  // Ready when the API answers; with domain_type auto ternd probes KVM first (up to 20 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto r = Tern(i, "host show");
    if (r.ok() && r->exit_code == 0) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
      auto log = ReadFile(ternd(i).log);
      return Status::Unavailable("ternd on " + ternd(i).name + " did not answer within 60 s; its log:\n" +
                                 (log.ok() ? *log : log.status().ToString()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Status TerndCluster::KillTernd(int i) {
  TerndHost& t = ternd_.at(static_cast<size_t>(i - 1));
  if (t.pid <= 0) return Status::FailedPrecondition("ternd on " + t.name + " is not running");
  ::kill(t.pid, SIGKILL);
  for (int k = 0; k < 100 && ::kill(t.pid, 0) == 0; ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  t.pid = 0;
  return Status::Ok();
}

Status TerndCluster::StartTernd(int i) {
  TERN_RETURN_IF_ERROR(Launch(i));
  return WaitReady(i);
}

TerndCluster::~TerndCluster() {
  if (hosts_) (void)hosts_->Down();
}

Result<CommandOutput> TerndCluster::Tern(int i, const std::string& args) const {
  return RunShell("ip netns exec " + ShellQuote(hosts_->fabric_ns()) + " " +
                  ShellQuote(BuiltProgram("tern")) + " --server " + ShellQuote(ternd(i).api_url) + " " +
                  args);
}

std::string TerndCluster::SerialLog(int i, const std::string& vm) const {
  return ternd(i).data_dir + "/vms/" + vm + "/serial.log";
}

}  // namespace tern::testing
