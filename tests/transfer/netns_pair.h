// NetnsPair: two network namespaces joined by a veth pair — site A's proxy host ("<prefix>-a", 10.213.0.1)
// and site B's ("<prefix>-b", 10.213.0.2) — for the transfer integration test and bench/transfer. Optionally
// rate-shaped (tc tbf; this kernel has no netem, so no added delay). Names are unique per process; the
// namespaces and everything running in them are removed on destruction.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/result.h"

namespace tern::transfer::testing {

class NetnsPair {
 public:
  enum class Side { kA, kB };
  static constexpr const char* kIpA = "10.213.0.1";
  static constexpr const char* kIpB = "10.213.0.2";

  // Why namespaces cannot be made here ("" when they can).
  static std::string UnavailableReason();
  static Result<std::unique_ptr<NetnsPair>> Create(const std::string& prefix);
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  [[nodiscard]] const std::string& ns(Side s) const { return s == Side::kA ? ns_a_ : ns_b_; }
  [[nodiscard]] const std::string& dev(Side s) const { return s == Side::kA ? dev_a_ : dev_b_; }
  // "ip netns exec <ns> " for shell commands.
  [[nodiscard]] std::string Exec(Side s) const { return "ip netns exec " + ns(s) + " "; }

  // Limits both directions to `mbit` Mbit/s (0 removes the limit).
  Status Shape(int mbit);
  // Takes A's end of the link down (a cut cable) or up again.
  Status SetLinkUp(bool up);
  // Bytes the interface of `s` has transmitted.
  Result<uint64_t> TxBytes(Side s) const;

  // Runs `fn` on a thread that has joined the namespace of `s`: sockets it creates live there.
  template <typename F>
  auto RunIn(Side s, F fn) const -> decltype(fn()) {
    std::optional<decltype(fn())> out;
    const std::string path = "/var/run/netns/" + ns(s);
    std::thread t([&] {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0) {
        ::close(fd);
        out.emplace(fn());
      } else {
        if (fd >= 0) ::close(fd);
        out.emplace(Status::Internal("cannot enter network namespace " + ns(s)));
      }
    });
    t.join();
    return std::move(*out);
  }

 private:
  NetnsPair() = default;
  std::string ns_a_, ns_b_, dev_a_, dev_b_;
};

}  // namespace tern::transfer::testing
