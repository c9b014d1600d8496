#include "recontext/layer_swap.h"

#include <cstdio>
#include <thread>

namespace tern::recontext {

namespace {
using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
}  // namespace

std::string FormatTimings(const SwapTimings& t) {
  char buf[200];
  std::snprintf(buf, sizeof(buf), "resolve %.1f ms, build %.1f ms%s, detach %.1f ms, attach %.1f ms",
                t.resolve_ms, t.build_ms, t.prebuilt ? " (prebuilt)" : "", t.detach_ms, t.attach_ms);
  std::string out = buf;
  if (t.retries > 0) out += ", " + std::to_string(t.retries) + " retries";
  return out;
}

Status LayerSwap::WithRetry(const std::function<Status()>& op, int& retries) {
  const auto deadline = Clock::now() + retry_window_;
  while (true) {
    Status s = op();
    if (s.ok() || s.code() != StatusCode::kUnavailable || Clock::now() >= deadline) return s;
    ++retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<SwapTimings> LayerSwap::Run(const SwapPlan& p) {
  SwapTimings t;
  const std::string what = "swap of CD-ROM " + p.target_dev + " of vm '" + p.vm + "'";

  auto start = Clock::now();
  Status s = WithRetry(
      [&]() -> Status {
        auto info = hypervisor_.Lookup(p.vm);
        if (!info.ok()) return info.status();
        if (!info->active) return Status::FailedPrecondition("vm '" + p.vm + "' is not running");
        return Status::Ok();
      },
      t.retries);
  t.resolve_ms = MsSince(start);
  if (!s.ok()) return s.WithContext(what + ": resolve");

  // The image is built before the tray opens: the guest is never without the layer for longer than the swap.
  t.prebuilt = !p.build;
  if (p.build) {
    start = Clock::now();
    s = p.build();
    t.build_ms = MsSince(start);
    if (!s.ok()) return s.WithContext(what + ": build");
  }

  start = Clock::now();
  s = WithRetry([&] { return hypervisor_.ChangeMedia(p.vm, {p.target_dev, p.bus, ""}); }, t.retries);
  t.detach_ms = MsSince(start);
  if (!s.ok()) return s.WithContext(what + ": detach");

  start = Clock::now();
  s = WithRetry([&] { return hypervisor_.ChangeMedia(p.vm, {p.target_dev, p.bus, p.new_iso}); }, t.retries);
  t.attach_ms = MsSince(start);
  if (!s.ok()) {
    // Put the old layer back rather than leave the VM without one.
    int ignored = 0;
    Status back = p.old_iso.empty()
                      ? Status::Ok()
                      : WithRetry(
                            [&] {
                              return hypervisor_.ChangeMedia(p.vm, {p.target_dev, p.bus, p.old_iso});
                            },
                            ignored);
    Status out = s.WithContext(what + ": attach");
    if (!back.ok())
      out = out.WithContext("(and the old image could not be re-inserted: " + back.message() + ")");
    return out;
  }
  return t;
}

}  // namespace tern::recontext
