// I/O half of the domain type probe: boots the probe guest under KVM with QEMU and watches its serial output.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/files.h"
#include "virt/domain_type_probe.h"

extern char** environ;

namespace tern::virt {
namespace {

constexpr char kProbeMarker[] = "TERN:PROBE-OK";
constexpr char kQemu[] = "qemu-system-x86_64";

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string Errno(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

Result<bool> ProbeKvmBoots(const std::string& kernel, const std::string& initrd,
                           std::chrono::seconds timeout) {
  if (!FileExists(kernel)) return Status::NotFound("KVM probe: kernel '" + kernel + "' does not exist");
  if (!FileExists(initrd)) return Status::NotFound("KVM probe: initrd '" + initrd + "' does not exist");

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IoError(Errno("KVM probe: pipe2"));
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);

  std::vector<std::string> args = {kQemu,
                                   "-accel",
                                   "kvm",
                                   "-cpu",
                                   "host",
                                   "-machine",
                                   "pc",
                                   "-m",
                                   "128",
                                   "-nographic",
                                   "-no-reboot",
                                   "-kernel",
                                   kernel,
                                   "-initrd",
                                   initrd,
                                   "-append",
                                   "console=ttyS0 panic=-1 tern.probe=1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, kQemu, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Status::NotFound("KVM probe: cannot run " + std::string(kQemu) + ": " + std::strerror(rc));
  write_end.Reset();

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string output;
  bool found = false;
  while (!found) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{read_end.get(), POLLIN, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    char buf[4096];
    ssize_t got = ::read(read_end.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // QEMU exited
    output.append(buf, static_cast<size_t>(got));
    found = output.find(kProbeMarker) != std::string::npos;
    // Keep the tail only: enough to find a marker split across reads.
    if (output.size() > 64 * 1024) output.erase(0, output.size() - 64);
  }
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  return found;
}

Result<ProbeDecision> ChooseDomainType(const std::string& configured, const std::string& probe_kernel,
                                       const std::string& probe_initrd) {
  if (configured != "auto" && configured != "kvm" && configured != "qemu")
    return Status::InvalidArgument("domain type '" + configured + "' is not auto|kvm|qemu");
  ProbeInput input;
  input.configured = configured;
  input.dev_kvm_present = ::access("/dev/kvm", R_OK | W_OK) == 0;
  if (configured == "auto" && input.dev_kvm_present && !probe_kernel.empty()) {
    TERN_ASSIGN_OR_RETURN(bool booted, ProbeKvmBoots(probe_kernel, probe_initrd, std::chrono::seconds(20)));
    input.kvm_guest_booted = booted;
  }
  return DecideDomainType(input);
}

}  // namespace tern::virt
