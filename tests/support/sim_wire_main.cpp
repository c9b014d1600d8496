// tern-simwire: the inter-site underlay of scripts/simhosts. Creates a TAP device in each given network
// namespace (a gateway's underlay leg) and carries frames between them through a DelayedSwitch, i.e. with a
// fixed one-way delay. Rate limits are tc's job (htb on the TAPs); this kernel has no netem, hence a
// userspace delay line.
//
//   tern-simwire --delay-us N [--ready FILE] NETNS:IFNAME NETNS:IFNAME...
//
// NETNS is a name under /run/netns (ip netns) or an absolute path to a network namespace file. FILE is
// written once every TAP exists. Runs until killed; the TAPs vanish with the process.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net/tap_device.h"
#include "net/unique_fd.h"
#include "net/vnet_header.h"
#include "sim_wire.h"

namespace {

using tern::net::TapDevice;
using tern::net::UniqueFd;
using tern::testing::DelayedSwitch;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tern-simwire: %s\n", message.c_str());
  std::exit(1);
}

struct Args {
  long delay_us = -1;
  std::string ready_file;
  std::vector<std::pair<std::string, std::string>> endpoints;  // netns, interface
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--delay-us" && i + 1 < argc) {
      char* end = nullptr;
      a.delay_us = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || a.delay_us < 0)
        Die(std::string("--delay-us: not a number of microseconds: ") + argv[i]);
    } else if (arg == "--ready" && i + 1 < argc) {
      a.ready_file = argv[++i];
    } else if (auto colon = arg.rfind(':');
               colon != std::string::npos && colon > 0 && colon + 1 < arg.size()) {
      a.endpoints.emplace_back(arg.substr(0, colon), arg.substr(colon + 1));
    } else {
      Die("usage: tern-simwire --delay-us N [--ready FILE] NETNS:IFNAME NETNS:IFNAME...  (bad argument '" +
          arg + "')");
    }
  }
  if (a.delay_us < 0) Die("--delay-us is required");
  if (a.endpoints.size() < 2) Die("at least two NETNS:IFNAME endpoints are required");
  return a;
}

void EnterNetns(const std::string& path, const std::string& what) {
  UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) Die(what + ": open " + path + ": " + std::strerror(errno));
  if (::setns(ns.get(), CLONE_NEWNET) != 0) Die(what + ": setns " + path + ": " + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  const std::string home = "/proc/self/ns/net";
  UniqueFd home_ns(::open(home.c_str(), O_RDONLY | O_CLOEXEC));
  if (!home_ns.valid()) Die("open " + home + ": " + std::strerror(errno));

  std::vector<TapDevice> taps;
  for (const auto& [netns, ifname] : args.endpoints) {
    const std::string path = netns.front() == '/' ? netns : "/run/netns/" + netns;
    const std::string what = "endpoint " + netns + ":" + ifname;
    EnterNetns(path, what);
    auto tap = TapDevice::Open(ifname, /*offloads=*/true, /*mtu=*/0);
    if (!tap.ok()) Die(what + ": " + tap.status().ToString());
    taps.push_back(std::move(tap).value());
    if (::setns(home_ns.get(), CLONE_NEWNET) != 0) Die(std::string("setns back: ") + std::strerror(errno));
  }
  if (!args.ready_file.empty()) {
    FILE* f = std::fopen(args.ready_file.c_str(), "w");
    if (f == nullptr) Die("cannot write " + args.ready_file + ": " + std::strerror(errno));
    std::fprintf(f, "%d\n", static_cast<int>(::getpid()));
    std::fclose(f);
  }

  // 64 MiB in flight is far more than any link of the harness holds (100 Mbit/s x 100 ms = 1.25 MB).
  DelayedSwitch sw(taps.size(), std::chrono::microseconds(args.delay_us), tern::net::kVnetHdrSize, 64u << 20);
  std::vector<pollfd> fds;
  for (const auto& t : taps) fds.push_back({t.fd(), POLLIN, 0});
  std::vector<uint8_t> buf(tern::net::kVnetHdrSize + 65536 + 64);
  for (;;) {
    timespec timeout{};
    timespec* timeout_ptr = nullptr;
    if (auto due = sw.NextDue()) {
      const auto wait = std::max(std::chrono::nanoseconds(0), *due - std::chrono::steady_clock::now());
      timeout.tv_sec = static_cast<time_t>(wait.count() / 1000000000);
      timeout.tv_nsec = static_cast<long>(wait.count() % 1000000000);
      timeout_ptr = &timeout;
    }
    if (::ppoll(fds.data(), fds.size(), timeout_ptr, nullptr) < 0 && errno != EINTR)
      Die(std::string("ppoll: ") + std::strerror(errno));
    const auto now = std::chrono::steady_clock::now();
    for (size_t p = 0; p < fds.size(); ++p) {
      if ((fds[p].revents & (POLLERR | POLLNVAL)) != 0) Die("TAP " + taps[p].name() + " failed");
      if ((fds[p].revents & POLLIN) == 0) continue;
      for (int burst = 0; burst < 64; ++burst) {
        const ssize_t n = taps[p].Read(buf.data(), buf.size());
        if (n == 0) break;
        if (n < 0) Die("read TAP " + taps[p].name() + ": " + std::strerror(static_cast<int>(-n)));
        sw.Receive(p, std::vector<uint8_t>(buf.begin(), buf.begin() + n), now);
      }
    }
    for (auto& d : sw.TakeDue(std::chrono::steady_clock::now())) {
      const uint8_t* vnet = d.frame.data();
      std::span<const uint8_t> frame(d.frame.data() + tern::net::kVnetHdrSize,
                                     d.frame.size() - tern::net::kVnetHdrSize);
      // A TAP whose queue is full drops the frame, as a real link would.
      (void)taps[d.port].Write(vnet, frame);
    }
  }
}
