#include "socat_relay.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace tern::testing {
namespace {

std::string ReadLog(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits up to `timeout` for pid to exit; true if it did (and was reaped).
bool WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const pid_t r = ::waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<std::unique_ptr<SocatRelay>> SocatRelay::Start(const std::vector<std::string>& prefix,
                                                      const std::string& listen, const std::string& target,
                                                      const std::string& log_path) {
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {"socat", "-d", "-d", listen + ",reuseaddr,fork", target});
  std::unique_ptr<SocatRelay> relay(new SocatRelay());
  relay->description_ = listen + " -> " + target;
  relay->log_path_ = log_path;
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return Status::IoError("relay " + relay->description_ + ": cannot open log " + log_path + ": " +
                           std::strerror(errno));
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::IoError("relay " + relay->description_ + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // socat and the connections it forks form one group, stopped together
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  relay->pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const std::string log = ReadLog(log_path);
    if (log.find("listening on") != std::string::npos) return relay;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      relay->pid_ = -1;
      return Status::Unavailable("relay " + relay->description_ + " exited at start: " + log);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      relay->Stop();
      return Status::Unavailable("relay " + relay->description_ + " does not listen after 10 s: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<std::unique_ptr<SocatRelay>> SocatRelay::Tcp(const std::vector<std::string>& prefix,
                                                    const std::string& listen_ip, int listen_port,
                                                    const std::string& target_ip, int target_port,
                                                    const std::string& log_path) {
  return Start(prefix, "TCP-LISTEN:" + std::to_string(listen_port) + ",bind=" + listen_ip,
               "TCP:" + target_ip + ":" + std::to_string(target_port), log_path);
}

SocatRelay::~SocatRelay() {
  Stop();
}

void SocatRelay::Stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  if (!WaitExit(pid_, std::chrono::seconds(2))) {
    ::kill(-pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(2));
  }
  pid_ = -1;
}

std::vector<std::string> SocatRelay::AcceptedPeers() const {
  // "... N accepting connection from AF=2 10.101.7.11:50418 on AF=2 10.101.7.1:16509"
  std::vector<std::string> peers;
  std::istringstream log(ReadLog(log_path_));
  const std::string marker = "accepting connection from AF=";
  for (std::string line; std::getline(log, line);) {
    auto at = line.find(marker);
    if (at == std::string::npos) continue;
    at = line.find(' ', at + marker.size());
    if (at == std::string::npos) continue;
    const auto end = line.find(' ', at + 1);
    peers.push_back(line.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1));
  }
  return peers;
}

}  // namespace tern::testing
