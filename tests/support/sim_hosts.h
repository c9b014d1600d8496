// SimHosts: N simulated libvirt hosts on this machine for integration tests (a C++ face of scripts/simhosts).
// Each host is a libvirtd + virtlogd in its own mount, UTS and network namespace with its own hostname and
// host UUID, reachable from the test process through a unix socket and from the other hosts over TCP. See
// docs/simhosts.md.
//
//   auto hosts = tern::testing::SimHosts::Start(2);
//   ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
//   virConnectOpen((*hosts)->host(1).uri.c_str());
//
// Teardown is guaranteed: by Down()/the destructor, and by a watchdog process that tears the run down when
// the test process dies (also on SIGKILL).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace tern::testing {

struct SimHost {
  int index = 0;         // 1-based
  std::string name;      // "h1"
  std::string ns;        // network namespace ("tern-<run id>-h1"), usable with `ip netns exec`
  std::string ip;        // address on the fabric, 10.251.<k>.<10+index>
  std::string hostname;  // what libvirtd reports (`virsh hostname`)
  std::string uuid;      // libvirtd's host_uuid
  std::string dir;       // private state: RUNDIR/hI/{etc,run,lib,log,cache}
  std::string socket;    // libvirtd's unix socket, reachable from the test process
  std::string uri;       // qemu:///system?socket=<socket>
  std::string tcp_uri;   // qemu+tcp://<ip>/system (from the other hosts and the fabric namespace)
  int anchor_pid = 0;    // the process holding the host's namespaces
};

// The result of a command: exit code (128 + signal number when killed by a signal), stdout and stderr.
struct CommandOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs `/bin/sh -c shell_command` with stdin from /dev/null, capturing stdout and stderr separately. Fails
// only when the command cannot be run at all; a non-zero exit is reported in exit_code.
Result<CommandOutput> RunShell(const std::string& shell_command);

// Runs `/bin/sh -c shell_command`; returns stdout and stderr (interleaved) on exit code 0, else an error with
// the command, exit code and output.
Result<std::string> RunCommand(const std::string& shell_command);

// Quotes a string for /bin/sh: 'it'\''s'.
std::string ShellQuote(const std::string& s);

// The path of scripts/simhosts: $TERN_SIMHOSTS if set, else TERN_SOURCE_DIR/scripts/simhosts.
std::string SimHostsScript();

// Why SimHosts cannot run here (not root, libvirtd or the script missing), or "" when it can. For GTEST_SKIP.
std::string SimHostsUnavailableReason();

class SimHosts {
 public:
  // Brings up hosts h1..hN (N = 1..4 is what tests use) under a fresh RUNDIR (mkdtemp /tmp/tern-sim-XXXXXX),
  // owned by this process: if it dies, the watchdog tears the run down.
  static Result<std::unique_ptr<SimHosts>> Start(int n);

  SimHosts(const SimHosts&) = delete;
  SimHosts& operator=(const SimHosts&) = delete;
  ~SimHosts();  // runs Down()

  const SimHost& host(int i) const;  // 1-based; throws std::out_of_range otherwise
  int size() const { return static_cast<int>(hosts_.size()); }
  const std::string& run_dir() const { return run_dir_; }
  const std::string& run_id() const { return run_id_; }
  const std::string& fabric_ns() const { return fabric_ns_; }  // netns holding the bridge; reaches every host
  const std::string& fabric_ip() const { return fabric_ip_; }

  // Runs `sh -c shell_command` inside host i (its mount, UTS and network namespaces). Returns stdout on exit
  // code 0; otherwise an error naming the host, the command, the exit code and stderr.
  Result<std::string> Exec(int i, const std::string& shell_command) const;
  // Runs `sh -c shell_command` in the fabric namespace (where an operator or a client of all hosts would
  // sit).
  Result<std::string> ExecInFabric(const std::string& shell_command) const;

  // Stops host i's libvirtd and starts it again (running VMs survive); returns once it answers.
  Status RestartLibvirtd(int i) const;

  // Tears everything down: processes (qemu, libvirtd, ...), namespaces, veths, RUNDIR. Idempotent.
  Status Down();

 private:
  SimHosts() = default;
  std::string run_dir_;
  std::string run_id_;
  std::string fabric_ns_;
  std::string fabric_ip_;
  std::vector<SimHost> hosts_;
  bool down_ = false;
};

}  // namespace tern::testing
