// TCP helpers for the transfer proxy: listen/connect/accept on exact endpoints, full reads and writes that
// tell a clean end of stream from a cut one, link timeouts, resets, and the kernel's delivery-rate estimate.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"
#include "net/endpoint.h"
#include "net/unique_fd.h"

namespace tern::transfer {

// Binds exactly `local` (port 0 picks one) and listens. `what` names the listener in errors.
Result<net::UniqueFd> ListenTcp(const net::Endpoint& local, const std::string& what);
Result<net::Endpoint> LocalEndpoint(int fd);
Result<net::Endpoint> PeerEndpoint(int fd);
// Connects within `timeout`; the socket is blocking afterwards, with TCP_NODELAY.
Result<net::UniqueFd> ConnectTcp(const net::Endpoint& remote, std::chrono::milliseconds timeout,
                                 const std::string& what);
// Waits for a connection; Unavailable once the listener has been shut down.
Result<net::UniqueFd> AcceptTcp(int listen_fd);

Status WriteAll(int fd, std::span<const uint8_t> data);
// Fills `buf` completely. Returns false when the stream ended cleanly before the first byte; an error when it
// ended part-way (truncated) or failed.
Result<bool> ReadExact(int fd, std::span<uint8_t> buf);

// Detects a dead link within about `timeout` even when idle: TCP_USER_TIMEOUT for unacknowledged data, and
// keepalive probes for silence.
void SetLinkTimeout(int fd, std::chrono::milliseconds timeout);
// SO_RCVTIMEO/SO_SNDTIMEO (0 = block forever), for the handshake.
void SetIoTimeout(int fd, std::chrono::milliseconds timeout);
// Closes with RST on the next close() (SO_LINGER 0), so the peer sees a failure, not a clean end.
void ArmReset(int fd);

struct LinkSample {
  double delivery_bytes_per_second = 0;
  bool app_limited = false;
  bool valid = false;
};

// Measures a sending socket's link throughput from the kernel's count of acknowledged bytes (tcp_info)
// between consecutive calls — one batch apart, so that short bursts (a shaper's token bucket, a burst into an
// empty queue) average out. Call it just before each send: when data was still queued or in flight at this
// call, the link was busy since the previous one and the rate is the link's; otherwise the sender left it
// idle for a while and the rate is only a lower bound (app_limited).
class LinkMeter {
 public:
  LinkSample Sample(int fd);

 private:
  bool started_ = false;
  uint64_t acked_ = 0;
  double at_ = 0;
};

}  // namespace tern::transfer
