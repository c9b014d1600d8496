// UnionProcess: a `tern-guest mount` child process serving a union under a test directory, for the host
// integration tests (they need root and /dev/fuse, and fail instead of skipping when
// TERN_REQUIRE_INTEGRATION=1).
#pragma once

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace tern::guest::testing {

inline std::string GuestProgram() {
  return std::string(TERN_BINARY_DIR) + "/apps/tern-guest";
}

inline bool IntegrationRequired() {
  const char* v = std::getenv("TERN_REQUIRE_INTEGRATION");
  return v != nullptr && std::string(v) == "1";
}

// Why a union cannot be mounted here, or "".
inline std::string MountUnavailableReason() {
  if (::geteuid() != 0) return "needs root";
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return "needs /dev/fuse";
  if (::access(GuestProgram().c_str(), X_OK) != 0) return "tern-guest not built: " + GuestProgram();
  return "";
}

class UnionProcess {
 public:
  explicit UnionProcess(const std::string& dir) : mountpoint_(dir + "/union"), socket_(dir + "/ctl.sock") {
    std::filesystem::create_directories(mountpoint_);
  }
  UnionProcess(const UnionProcess&) = delete;
  UnionProcess& operator=(const UnionProcess&) = delete;
  ~UnionProcess() { Stop(); }

  const std::string& mountpoint() const { return mountpoint_; }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }
  bool Alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  // Runs `tern-guest --socket S mount M ARGS...`; true once its control socket exists.
  bool Start(const std::vector<std::string>& args) {
    std::filesystem::remove(socket_);
    std::vector<std::string> all = {GuestProgram(), "--socket", socket_, "mount", mountpoint_};
    all.insert(all.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      if (std::filesystem::exists(socket_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // `tern-guest --socket S ARGS` (output discarded); its exit code.
  int Ctl(const std::string& args) const {
    return std::system((GuestProgram() + " --socket " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    ::umount2(mountpoint_.c_str(), MNT_DETACH);
  }

 private:
  std::string mountpoint_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace tern::guest::testing

// Skips (or, with TERN_REQUIRE_INTEGRATION=1, fails) when `why` is not empty.
#define TERN_GUEST_REQUIRE(why_expr)                                                         \
  do {                                                                                       \
    const std::string why_ = (why_expr);                                                     \
    if (!why_.empty()) {                                                                     \
      if (::tern::guest::testing::IntegrationRequired()) FAIL() << "prerequisite: " << why_; \
      GTEST_SKIP() << why_;                                                                  \
    }                                                                                        \
  } while (false)
