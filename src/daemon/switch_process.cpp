#include "daemon/switch_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/files.h"

namespace tern::daemon {

bool IsSwitchFor(int pid, const std::string& status_path) {
  auto cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline.ok()) return false;
  std::vector<std::string> args;
  size_t start = 0;
  while (start < cmdline->size()) {
    const size_t end = cmdline->find('\0', start);
    args.push_back(cmdline->substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (args.empty() || args[0].find("tern-switch") == std::string::npos) return false;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--status-file" && args[i + 1] == status_path) return true;
  }
  return false;
}

Result<SwitchProcess> SwitchProcess::Spawn(const SwitchCommand& c) {
  if (c.argv.empty()) throw std::logic_error("SwitchProcess::Spawn: empty argv");
  if (::access(c.argv[0].c_str(), X_OK) != 0) {
    return Status::FailedPrecondition("tern-switch program '" + c.argv[0] + "' is not executable (" +
                                      std::strerror(errno) + "); set switch.binary in ternd's configuration");
  }
  // Everything the child needs is prepared before fork: between fork and exec only async-signal-safe calls.
  std::vector<char*> argv;
  for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT: execv's signature
  argv.push_back(nullptr);
  const int log = ::open(c.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log < 0) return Status::IoError("cannot open '" + c.log_path + "': " + std::strerror(errno));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGHUP);  // read from the daemon's signalfd, even if sent before it exists
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    ::sigprocmask(SIG_SETMASK, &blocked, nullptr);
    ::dup2(null >= 0 ? null : log, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  const int fork_errno = errno;
  ::close(log);
  if (null >= 0) ::close(null);
  if (pid < 0) return Status::IoError(std::string("fork for tern-switch: ") + std::strerror(fork_errno));
  (void)WriteFileAtomic(c.pid_path, std::to_string(pid) + "\n");
  return SwitchProcess(pid, true, c.status_path);
}

std::optional<SwitchProcess> SwitchProcess::Adopt(const SwitchCommand& c) {
  auto text = ReadFile(c.pid_path);
  if (!text.ok()) return std::nullopt;
  const int pid = std::atoi(text->c_str());
  if (pid <= 0 || !IsSwitchFor(pid, c.status_path)) return std::nullopt;
  return SwitchProcess(pid, false, c.status_path);
}

bool SwitchProcess::Alive() {
  if (pid_ <= 0) return false;
  if (child_) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == 0) return true;
    if (r == pid_) {
      exit_reason_ = WIFEXITED(st)     ? "exited with status " + std::to_string(WEXITSTATUS(st))
                     : WIFSIGNALED(st) ? "killed by signal " + std::to_string(WTERMSIG(st))
                                       : "stopped";
    } else {
      exit_reason_ = "gone";
    }
    pid_ = 0;
    return false;
  }
  if (IsSwitchFor(pid_, status_path_)) return true;
  exit_reason_ = "no longer running";
  pid_ = 0;
  return false;
}

Status SwitchProcess::Reload() {
  if (pid_ <= 0 || ::kill(pid_, SIGHUP) != 0) {
    return Status::Unavailable("tern-switch (pid " + std::to_string(pid_) + ") is not running");
  }
  return Status::Ok();
}

void SwitchProcess::Stop(std::chrono::milliseconds grace) {
  if (!Alive()) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Alive()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  for (int i = 0; i < 50 && Alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace tern::daemon
