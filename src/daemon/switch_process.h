// SwitchProcess: one `tern-switch run` daemon that ternd runs for a tern network. It is started detached (its
// own session), so it keeps forwarding while ternd restarts or is upgraded; a restarted ternd adopts it again
// through its pid file. ternd signals it to re-read its ports file (SIGHUP) and stops it (SIGTERM: it leaves
// the network cleanly) when the network is deleted.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tern::daemon {

struct SwitchCommand {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::string log_path;           // stdout and stderr, appended
  std::string pid_path;
  std::string status_path;  // its --status-file: identifies the daemon in /proc/PID/cmdline
};

class SwitchProcess {
 public:
  static Result<SwitchProcess> Spawn(const SwitchCommand& command);
  // The daemon an earlier ternd started for this command's status file, if it still runs.
  static std::optional<SwitchProcess> Adopt(const SwitchCommand& command);

  // False once the process has exited (a child of this ternd is reaped; exit_reason() says how).
  bool Alive();
  Status Reload();  // SIGHUP: re-read the ports file
  // SIGTERM, then SIGKILL if it is still there after `grace`.
  void Stop(std::chrono::milliseconds grace);
  [[nodiscard]] int pid() const { return pid_; }
  [[nodiscard]] bool adopted() const { return !child_; }
  [[nodiscard]] const std::string& exit_reason() const { return exit_reason_; }

 private:
  SwitchProcess(int pid, bool child, std::string status_path)
      : pid_(pid), child_(child), status_path_(std::move(status_path)) {}
  int pid_ = 0;
  bool child_ = false;
  std::string status_path_;
  std::string exit_reason_;
};

// True when /proc/PID/cmdline is a tern-switch with `--status-file status_path`.
bool IsSwitchFor(int pid, const std::string& status_path);

}  // namespace tern::daemon
