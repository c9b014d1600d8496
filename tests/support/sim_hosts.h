// SimHosts: N simulated libvirt hosts on this machine for integration tests (a C++ face of scripts/simhosts).
// Each host is a libvirtd + virtlogd in its own mount, UTS and network namespace with its own hostname and
// host UUID, reachable from the test process through a unix socket and from the other hosts over TCP. See
// docs/simhosts.md.
//
//   auto hosts = tern::testing::SimHosts::Start(2);
//   ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
//   virConnectOpen((*hosts)->host(1).uri.c_str());
//
// StartSites groups the hosts into sites: each site's hosts behind a gateway namespace, the gateways joined
// by a shaped underlay link, and no path from a host of one site to a host of another.
//
// Teardown is guaranteed: by Down()/the destructor, and by a watchdog process that tears the run down when
// the test process dies (also on SIGKILL).
#pragma once

#include <cstdint>
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
  int site = 0;          // 1-based site index (StartSites), 0 without sites
};

// A site of StartSites: its hosts on a bridge in the gateway namespace, which also has a leg (ul0) on the
// underlay that joins the sites' gateways. Gateways do not forward packets.
struct SimSite {
  int index = 0;           // 1-based
  std::string name;        // "s1"
  std::string gateway_ns;  // network namespace "tern-<run id>-gw1", usable with `ip netns exec`
  std::string
      gateway_ip;  // the gateway on the site's bridge, 10.(100+index).<k>.1: what the site's hosts reach
  std::string underlay_ip;  // the gateway on the underlay, 10.100.<k>.<index>: what the other gateways reach
  std::string subnet;       // 10.(100+index).<k>.0/24
  std::vector<int> hosts;   // indices of the site's hosts (host(i)), numbered across all sites
};

struct SitesOptions {
  std::vector<int> hosts_per_site;    // {2, 1}: site s1 with hosts h1, h2 and site s2 with h3 (2..8 sites)
  std::string link_delay = "10ms";    // one-way delay of the underlay, each direction ("0", "800us", "2.5ms")
  std::string link_rate = "100mbit";  // what each gateway may send on the underlay (tc rate); "0": unshaped
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
  // Brings up sites (see SitesOptions); hosts are numbered h1..hN across the sites. Needs tern-simwire (built
  // with this library; $SIMHOSTS_WIRE overrides its path).
  static Result<std::unique_ptr<SimHosts>> StartSites(const SitesOptions& options);

  SimHosts(const SimHosts&) = delete;
  SimHosts& operator=(const SimHosts&) = delete;
  ~SimHosts();  // runs Down()

  const SimHost& host(int i) const;  // 1-based; throws std::out_of_range otherwise
  int size() const { return static_cast<int>(hosts_.size()); }
  const std::string& run_dir() const { return run_dir_; }
  const std::string& run_id() const { return run_id_; }
  // Without sites: the netns holding the bridge, which reaches every host. Empty with sites.
  const std::string& fabric_ns() const { return fabric_ns_; }
  const std::string& fabric_ip() const { return fabric_ip_; }

  int site_count() const { return static_cast<int>(sites_.size()); }  // 0 without sites
  const SimSite& site(int j) const;  // 1-based; throws std::out_of_range otherwise
  const std::string& underlay_ns() const { return underlay_ns_; }  // where tern-simwire runs
  int64_t link_delay_us() const { return link_delay_us_; }
  const std::string& link_rate() const { return link_rate_; }

  // Runs `sh -c shell_command` inside host i (its mount, UTS and network namespaces). Returns stdout on exit
  // code 0; otherwise an error naming the host, the command, the exit code and stderr.
  Result<std::string> Exec(int i, const std::string& shell_command) const;
  // Runs `sh -c shell_command` in the fabric namespace (where an operator or a client of all hosts would
  // sit).
  Result<std::string> ExecInFabric(const std::string& shell_command) const;
  // Runs `sh -c shell_command` in site j's gateway namespace.
  Result<std::string> ExecInGateway(int j, const std::string& shell_command) const;

  // The argv prefix that runs a program in host i's namespaces, or in site j's gateway namespace (for
  // processes a test keeps running, e.g. SocatRelay).
  std::vector<std::string> HostCommand(int i) const;
  std::vector<std::string> GatewayCommand(int j) const;

  // Stops host i's libvirtd and starts it again (running VMs survive); returns once it answers.
  Status RestartLibvirtd(int i) const;

  // Tears everything down: processes (qemu, libvirtd, ...), namespaces, veths, RUNDIR. Idempotent.
  Status Down();

 private:
  SimHosts() = default;
  static Result<std::unique_ptr<SimHosts>> Up(const std::string& args, int expected_sites);
  std::string run_dir_;
  std::string run_id_;
  std::string fabric_ns_;
  std::string fabric_ip_;
  std::vector<SimHost> hosts_;
  std::vector<SimSite> sites_;
  std::string underlay_ns_;
  int64_t link_delay_us_ = 0;
  std::string link_rate_;
  bool down_ = false;
};

}  // namespace tern::testing
