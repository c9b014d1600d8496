#include "sim_hosts.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tern::testing {
namespace {

#if !defined(TERN_SOURCE_DIR) || !defined(TERN_SIMWIRE)
#error "TERN_SOURCE_DIR and TERN_SIMWIRE must be defined (tests/support/CMakeLists.txt)"
#endif

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Runs /bin/sh -c cmd; merge_stderr sends stderr into the stdout pipe.
Result<CommandOutput> Run(const std::string& shell_command, bool merge_stderr) {
  int out_pipe[2];
  int err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  if (!merge_stderr && ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const std::string err = std::strerror(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Status::IoError("pipe: " + err);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string err = std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return Status::IoError("fork: " + err);
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(merge_stderr ? out_pipe[1] : err_pipe[1], STDERR_FILENO);
    ::execl("/bin/sh", "sh", "-c", shell_command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  if (!merge_stderr) ::close(err_pipe[1]);

  CommandOutput result;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = merge_stderr ? 1 : 2;
  if (merge_stderr) fds[1].fd = -1;
  char buf[8192];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      const ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::Internal(std::string("waitpid: ") + std::strerror(errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string Script() {
  return ShellQuote(SimHostsScript());
}

}  // namespace

Result<CommandOutput> RunShell(const std::string& shell_command) {
  return Run(shell_command, false);
}

Result<std::string> RunCommand(const std::string& shell_command) {
  TERN_ASSIGN_OR_RETURN(CommandOutput r, Run(shell_command, true));
  if (r.exit_code != 0) {
    return Status::Internal("command '" + shell_command + "' exited with " + std::to_string(r.exit_code) +
                            ": " + Trim(r.out));
  }
  return r.out;
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::string SimHostsScript() {
  if (const char* env = std::getenv("TERN_SIMHOSTS"); env != nullptr && *env != '\0') return env;
  return std::string(TERN_SOURCE_DIR) + "/scripts/simhosts";
}

std::string SimHostsUnavailableReason() {
  if (::geteuid() != 0) return "simulated hosts need root (network and mount namespaces)";
  if (::access(SimHostsScript().c_str(), X_OK) != 0)
    return "simhosts script not found at " + SimHostsScript();
  for (const char* tool : {"libvirtd", "virtlogd", "virsh", "ip", "nsenter", "unshare"}) {
    auto found = RunShell(std::string("command -v ") + tool);
    if (!found.ok() || found->exit_code != 0) {
      return std::string(tool) + " is not installed (run scripts/install-deps)";
    }
  }
  return "";
}

Result<std::unique_ptr<SimHosts>> SimHosts::Start(int n) {
  if (n < 1) return Status::InvalidArgument("SimHosts::Start: n must be >= 1");
  return Up(std::to_string(n), 0);
}

Result<std::unique_ptr<SimHosts>> SimHosts::StartSites(const SitesOptions& options) {
  if (options.hosts_per_site.size() < 2)
    return Status::InvalidArgument("SimHosts::StartSites: at least two sites are needed");
  std::string list;
  for (int n : options.hosts_per_site) {
    if (n < 1) return Status::InvalidArgument("SimHosts::StartSites: every site needs at least one host");
    list += (list.empty() ? "" : ",") + std::to_string(n);
  }
  return Up("--sites " + list + " --delay " + ShellQuote(options.link_delay) + " --rate " +
                ShellQuote(options.link_rate),
            static_cast<int>(options.hosts_per_site.size()));
}

Result<std::unique_ptr<SimHosts>> SimHosts::Up(const std::string& args, int expected_sites) {
  char tmpl[] = "/tmp/tern-sim-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return Status::IoError(std::string("mkdtemp: ") + std::strerror(errno));
  const std::string run_dir = tmpl;
  const char* wire_env = std::getenv("SIMHOSTS_WIRE");
  const std::string wire = wire_env != nullptr && *wire_env != '\0' ? wire_env : TERN_SIMWIRE;
  const std::string up = "SIMHOSTS_WIRE=" + ShellQuote(wire) + " " + Script() + " up " + ShellQuote(run_dir) +
                         " " + args + " --owner " + std::to_string(::getpid());
  auto r = RunShell(up);
  if (!r.ok() || r->exit_code != 0) {
    // `up` tears down what it created when it fails; this makes sure, and removes RUNDIR.
    (void)RunShell(Script() + " down " + ShellQuote(run_dir));
    std::error_code ec;
    std::filesystem::remove_all(run_dir, ec);
    if (!r.ok()) return r.status().WithContext("simhosts up");
    return Status::Unavailable("simhosts up " + args + " failed with exit code " +
                               std::to_string(r->exit_code) + ": " + Trim(r->err));
  }

  std::map<std::string, std::string> env;
  size_t pos = 0;
  const std::string& out = r->out;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }

  std::unique_ptr<SimHosts> hosts(new SimHosts());
  hosts->run_dir_ = run_dir;
  hosts->run_id_ = env["RUN_ID"];
  hosts->fabric_ns_ = env["FABRIC_NS"];
  hosts->fabric_ip_ = env["FABRIC_IP"];
  hosts->underlay_ns_ = env["UNDERLAY_NS"];
  hosts->link_delay_us_ = std::atoll(env["LINK_DELAY_US"].c_str());
  hosts->link_rate_ = env["LINK_RATE"];
  const int n = std::atoi(env["HOSTS"].c_str());
  for (int j = 1; j <= expected_sites; ++j) {
    const std::string p = "S" + std::to_string(j) + "_";
    SimSite site;
    site.index = j;
    site.name = env[p + "NAME"];
    site.gateway_ns = env[p + "GW_NS"];
    site.gateway_ip = env[p + "GW_IP"];
    site.underlay_ip = env[p + "UNDERLAY_IP"];
    site.subnet = env[p + "SUBNET"];
    std::istringstream members(env[p + "HOSTS"]);
    for (int i; members >> i;) site.hosts.push_back(i);
    if (site.gateway_ns.empty() || site.underlay_ip.empty() || site.hosts.empty()) {
      (void)hosts->Down();
      return Status::Internal("simhosts up printed no complete description of site s" + std::to_string(j) +
                              ":\n" + out);
    }
    hosts->sites_.push_back(std::move(site));
  }
  for (int i = 1; i <= n; ++i) {
    const std::string p = "H" + std::to_string(i) + "_";
    SimHost h;
    h.index = i;
    h.name = env[p + "NAME"];
    h.ns = env[p + "NS"];
    h.ip = env[p + "IP"];
    h.hostname = env[p + "HOSTNAME"];
    h.uuid = env[p + "UUID"];
    h.dir = env[p + "DIR"];
    h.socket = env[p + "SOCKET"];
    h.uri = env[p + "URI"];
    h.tcp_uri = env[p + "TCP_URI"];
    h.anchor_pid = std::atoi(env[p + "ANCHOR_PID"].c_str());
    h.site = std::atoi(env[p + "SITE"].c_str());
    if (h.ns.empty() || h.socket.empty() || h.anchor_pid <= 0 || (expected_sites > 0 && h.site < 1)) {
      (void)hosts->Down();
      return Status::Internal("simhosts up printed no complete description of host h" + std::to_string(i) +
                              ":\n" + out);
    }
    hosts->hosts_.push_back(std::move(h));
  }
  if (n < 1) {
    (void)hosts->Down();
    return Status::Internal("simhosts up printed no hosts:\n" + out);
  }
  return hosts;
}

SimHosts::~SimHosts() {
  (void)Down();
}

const SimHost& SimHosts::host(int i) const {
  if (i < 1 || i > size()) throw std::out_of_range("SimHosts::host(" + std::to_string(i) + ")");
  return hosts_[static_cast<size_t>(i - 1)];
}

Result<std::string> SimHosts::Exec(int i, const std::string& shell_command) const {
  const SimHost& h = host(i);
  TERN_ASSIGN_OR_RETURN(CommandOutput r,
                        RunShell(Script() + " exec " + ShellQuote(run_dir_) + " " + std::to_string(i) +
                                 " -- sh -c " + ShellQuote(shell_command)));
  if (r.exit_code != 0) {
    return Status::Internal("host " + h.name + " (" + h.hostname + "): command '" + shell_command +
                            "' exited with " + std::to_string(r.exit_code) + ": " + Trim(r.err));
  }
  return r.out;
}

const SimSite& SimHosts::site(int j) const {
  if (j < 1 || j > site_count()) throw std::out_of_range("SimHosts::site(" + std::to_string(j) + ")");
  return sites_[static_cast<size_t>(j - 1)];
}

std::vector<std::string> SimHosts::HostCommand(int i) const {
  (void)host(i);
  return {SimHostsScript(), "exec", run_dir_, std::to_string(i), "--"};
}

std::vector<std::string> SimHosts::GatewayCommand(int j) const {
  return {"ip", "netns", "exec", site(j).gateway_ns};
}

Result<std::string> SimHosts::ExecInGateway(int j, const std::string& shell_command) const {
  const SimSite& s = site(j);
  TERN_ASSIGN_OR_RETURN(CommandOutput r, RunShell("ip netns exec " + ShellQuote(s.gateway_ns) + " sh -c " +
                                                  ShellQuote(shell_command)));
  if (r.exit_code != 0) {
    return Status::Internal("gateway of site " + s.name + " (" + s.gateway_ns + "): command '" +
                            shell_command + "' exited with " + std::to_string(r.exit_code) + ": " +
                            Trim(r.err));
  }
  return r.out;
}

Result<std::string> SimHosts::ExecInFabric(const std::string& shell_command) const {
  if (fabric_ns_.empty())
    return Status::FailedPrecondition("run " + run_dir_ +
                                      " has sites and no fabric namespace; use ExecInGateway");
  TERN_ASSIGN_OR_RETURN(CommandOutput r, RunShell("ip netns exec " + ShellQuote(fabric_ns_) + " sh -c " +
                                                  ShellQuote(shell_command)));
  if (r.exit_code != 0) {
    return Status::Internal("fabric " + fabric_ns_ + ": command '" + shell_command + "' exited with " +
                            std::to_string(r.exit_code) + ": " + Trim(r.err));
  }
  return r.out;
}

Status SimHosts::RestartLibvirtd(int i) const {
  const SimHost& h = host(i);
  auto r = RunShell(Script() + " restart-libvirtd " + ShellQuote(run_dir_) + " " + std::to_string(i));
  if (!r.ok()) return r.status().WithContext("restart libvirtd of " + h.name);
  if (r->exit_code != 0) {
    return Status::Unavailable("restart libvirtd of " + h.name + " exited with " +
                               std::to_string(r->exit_code) + ": " + Trim(r->err));
  }
  return Status::Ok();
}

Status SimHosts::Down() {
  if (down_) return Status::Ok();
  auto r = RunShell(Script() + " down " + ShellQuote(run_dir_));
  if (!r.ok()) return r.status().WithContext("simhosts down");
  if (r->exit_code != 0) {
    return Status::Internal("simhosts down " + run_dir_ + " exited with " + std::to_string(r->exit_code) +
                            ": " + Trim(r->err));
  }
  down_ = true;
  return Status::Ok();
}

}  // namespace tern::testing
