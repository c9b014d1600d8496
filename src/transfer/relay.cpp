#include "transfer/relay.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

namespace tern::transfer {

namespace {

// Shared between the two pumps: the first failure wins and stops both.
class RelayState {
 public:
  RelayState(int local_fd, SecureChannel& channel) : local_fd_(local_fd), channel_(channel) {}

  // Records the failure, tells the peer (abort frame, when this side may still send), and unblocks both
  // pumps.
  void Fail(const std::string& error, bool tell_peer) {
    {
      std::lock_guard lock(mu_);
      if (failed_) return;
      failed_ = true;
      error_ = error;
    }
    if (tell_peer) {
      std::vector<uint8_t> frame;
      AppendAbort(frame, error);
      (void)channel_.Send(frame, true);
    }
    ArmReset(local_fd_);
    ::shutdown(local_fd_, SHUT_RDWR);
    channel_.Shutdown();
  }
  bool failed() const {
    std::lock_guard lock(mu_);
    return failed_;
  }
  std::string error() const {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  int local_fd_;
  SecureChannel& channel_;
  mutable std::mutex mu_;
  bool failed_ = false;
  std::string error_;
};

// local -> channel.
void PumpOut(int local, SecureChannel& channel, const RelayOptions& options, RelayState& state,
             RelayResult& result) {
  OutboundStream out(options.compress);
  std::vector<uint8_t> buf(std::min(options.max_batch, kMaxBatchSize));
  std::vector<uint8_t> frame;
  bool eof = false;
  while (!eof) {
    ssize_t n = ::recv(local, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (!state.failed()) state.Fail(std::string("local connection failed: ") + std::strerror(errno), true);
      return;
    }
    if (n == 0) break;
    size_t filled = static_cast<size_t>(n);
    // Take whatever else is already there, up to a full batch, without waiting for more.
    while (filled < buf.size()) {
      const ssize_t m = ::recv(local, buf.data() + filled, buf.size() - filled, MSG_DONTWAIT);
      if (m > 0) {
        filled += static_cast<size_t>(m);
      } else {
        if (m == 0) eof = true;
        break;
      }
    }
    frame.clear();
    out.AppendBatch(std::span(buf).first(filled), frame);
    // Right before the send (after compressing): see LinkMeter.
    const LinkSample link = channel.SampleLink();
    if (link.valid) out.AddLinkSample(link.delivery_bytes_per_second, link.app_limited);
    spdlog::debug("relay batch {}: {} bytes as {} ({} on the wire); link estimate {:.1f} Mbit/s",
                  out.stats().batches, filled, CodecChoiceName(out.last_choice()), frame.size(),
                  out.link_bytes_per_second() * 8e-6);
    if (Status s = channel.Send(frame, false); !s.ok()) {
      if (!state.failed()) state.Fail(s.message(), false);
      return;
    }
  }
  if (state.failed()) return;
  frame.clear();
  out.AppendEnd(frame);
  if (Status s = channel.Send(frame, true); !s.ok()) {
    state.Fail(s.message(), false);
    return;
  }
  result.out_stats = out.stats();
  result.bytes_out = out.stats().raw_bytes;
}

// channel -> local.
void PumpIn(int local, SecureChannel& channel, RelayState& state, RelayResult& result) {
  InboundStream in(InboundStream::Mode::kRelay);
  std::vector<uint8_t> plain;
  while (true) {
    auto rec = channel.Receive(plain);
    if (!rec.ok()) {
      if (!state.failed()) state.Fail(rec.status().message(), true);
      return;
    }
    if (!rec->has_value()) {
      if (!state.failed()) state.Fail(in.OnTransportEnd().message(), false);
      return;
    }
    auto ev = in.OnRecord(plain, **rec);
    if (!ev.ok()) {
      state.Fail(ev.status().message(), true);
      return;
    }
    switch (ev->kind) {
      case InboundEvent::Kind::kData:
        if (Status s = WriteAll(local, ev->data); !s.ok()) {
          state.Fail("local connection: " + s.message(), true);
          return;
        }
        break;
      case InboundEvent::Kind::kEnd:
        ::shutdown(local, SHUT_WR);
        result.bytes_in = in.stats().raw_bytes;
        return;
      case InboundEvent::Kind::kAbort:
        state.Fail("the peer aborted: " + ev->text, false);
        return;
      default:
        state.Fail("unexpected frame in a relay", true);
        return;
    }
  }
}

}  // namespace

RelayResult Relay(int local_fd, SecureChannel& channel, const RelayOptions& options) {
  RelayResult result;
  RelayState state(local_fd, channel);
  std::thread out([&] { PumpOut(local_fd, channel, options, state, result); });
  PumpIn(local_fd, channel, state, result);
  out.join();
  result.ok = !state.failed();
  result.error = state.error();
  result.wire_out = channel.wire_sent();
  result.wire_in = channel.wire_received();
  return result;
}

}  // namespace tern::transfer
