// Relay: joins a local TCP connection and a secure channel into one byte-exact, bidirectional stream — local
// bytes go out as compressed, checksummed batches, the peer's batches come back as bytes — with half-close
// carried across (a local EOF becomes an end frame, an end frame becomes shutdown(SHUT_WR)) and any failure
// turned into an abort on the channel and a reset on the local connection, never a silent clean end.
#pragma once

#include <cstdint>
#include <string>

#include "transfer/secure_channel.h"
#include "transfer/stream_codec.h"

namespace tern::transfer {

struct RelayOptions {
  size_t max_batch = 1 << 20;
  bool compress = true;
};

struct RelayResult {
  bool ok = false;
  std::string error;       // the first failure, "" when ok
  uint64_t bytes_out = 0;  // local -> channel, raw
  uint64_t bytes_in = 0;   // channel -> local, raw
  uint64_t wire_out = 0;   // channel bytes sent
  uint64_t wire_in = 0;    // channel bytes received
  StreamStats out_stats;
};

// Runs until both directions have ended or one failed. Closes nothing: the caller owns both sockets (on
// failure the local one has been shut down and armed to reset when closed).
RelayResult Relay(int local_fd, SecureChannel& channel, const RelayOptions& options);

}  // namespace tern::transfer
