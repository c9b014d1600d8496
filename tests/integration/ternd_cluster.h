// TerndCluster: simulated hosts (SimHosts) each running a real ternd with its own infrastructure context, and
// the `tern` CLI run from the fabric namespace against any of them. For end-to-end integration tests.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "sim_hosts.h"

namespace tern::testing {

struct TerndHost {
  std::string name;    // tern host name ("h1")
  std::string config;  // ternd config path
  std::string data_dir;
  std::string api_url;  // http://IP:7480, reachable from the fabric namespace
  std::string log;      // ternd's log file
  int pid = 0;
};

class TerndCluster {
 public:
  // infra_values[i-1]: the infrastructure key-values of host i (its priority is 20). domain_type "qemu" skips
  // ternd's KVM probe, which on this kind of machine waits its full 20 s for a guest that never boots under
  // the nested KVM; "auto" exercises the probe.
  static Result<std::unique_ptr<TerndCluster>> Start(
      int n, const std::vector<std::map<std::string, std::string>>& infra_values,
      const std::string& extra_config = "", const std::string& domain_type = "qemu");
  ~TerndCluster();

  SimHosts& hosts() { return *hosts_; }
  const TerndHost& ternd(int i) const { return ternd_.at(static_cast<size_t>(i - 1)); }
  // Runs `tern --server <host i> ARGS` in the fabric namespace; exit code, stdout and stderr.
  Result<CommandOutput> Tern(int i, const std::string& args) const;
  // Stops host i's ternd with SIGKILL (no clean shutdown), or starts it again and waits until it answers.
  Status KillTernd(int i);
  Status StartTernd(int i);
  // The serial console log of a VM deployed through host i's ternd.
  std::string SerialLog(int i, const std::string& vm) const;

 private:
  TerndCluster() = default;
  Status Launch(int i);
  Status WaitReady(int i);
  std::unique_ptr<SimHosts> hosts_;
  std::vector<TerndHost> ternd_;
};

// Path of a built program (TERN_BINARY_DIR/apps/NAME).
std::string BuiltProgram(const std::string& name);
// The test guest's directory (TERN_BINARY_DIR/test-guest) or "" when it has not been built.
std::string TestGuestDir();
// Why end-to-end tests cannot run here, or "". When TERN_REQUIRE_INTEGRATION=1 (CI) a missing prerequisite is
// a failure, not a skip.
std::string IntegrationUnavailableReason();
bool IntegrationRequired();
// Waits until the file contains `needle` (polling); returns the file's content at that point or an error with
// the tail of the file after `timeout`.
Result<std::string> WaitForFileContaining(const std::string& path, const std::string& needle,
                                          std::chrono::milliseconds timeout);

}  // namespace tern::testing

// Skips (or, in CI, fails) when the end-to-end prerequisites are missing.
#define TERN_REQUIRE_INTEGRATION_PREREQS()                                                   \
  do {                                                                                       \
    const std::string why = ::tern::testing::IntegrationUnavailableReason();                 \
    if (!why.empty()) {                                                                      \
      if (::tern::testing::IntegrationRequired()) FAIL() << "prerequisite missing: " << why; \
      GTEST_SKIP() << why;                                                                   \
    }                                                                                        \
  } while (false)
