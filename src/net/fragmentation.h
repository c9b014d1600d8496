// Explicit fragmentation of sealed messages that exceed one underlay datagram (offloaded 64 KiB segments from
// a TAP): fixed-size chunks with an 8-byte header, sent with UDP GSO, reassembled before authentication.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "net/endpoint.h"
#include "net/port_id.h"

namespace tern::net {

inline constexpr size_t kFragmentHeaderSize = 8;
inline constexpr size_t kMaxFragments = 255;

struct FragmentHeader {
  uint8_t index = 0;
  uint8_t count = 0;
  uint32_t message_id = 0;
};

void WriteFragmentHeader(const FragmentHeader& h, uint8_t* p);
// False when not a fragment of this version, or index >= count, or count < 2.
bool ParseFragmentHeader(std::span<const uint8_t> datagram, FragmentHeader& h);

// How many fragments a message of `message_size` bytes needs when each datagram carries at most
// `max_datagram` bytes (header included); 0 when it cannot be sent at all.
size_t FragmentCount(size_t message_size, size_t max_datagram);

// Writes the fragments of `message` back to back into `out` (each fragment_size bytes except the last) and
// returns the size of one full fragment datagram (the UDP GSO segment size).
size_t BuildFragments(std::span<const uint8_t> message, size_t max_datagram, uint32_t message_id,
                      std::vector<uint8_t>& out);

enum class ReassemblyResult : uint8_t {
  kIncomplete,  // stored; waiting for more fragments
  kComplete,    // `message()` holds the reassembled sealed message
  kDropped,     // malformed or inconsistent fragment (counted by the caller)
};

// Reassembles messages from one source at a time (one message in flight per source endpoint; fragments of a
// newer message abandon an unfinished older one). Bounded memory: at most `max_sources` sources.
class Reassembler {
 public:
  explicit Reassembler(size_t max_sources = 64) : max_sources_(max_sources) {}
  ReassemblyResult Add(const Endpoint& from, std::span<const uint8_t> datagram, TimeNs now);
  // Valid after kComplete until the next Add.
  [[nodiscard]] std::span<uint8_t> message() { return {done_.data(), done_.size()}; }
  // Drops partial messages older than `max_age`; returns how many were abandoned.
  size_t Expire(TimeNs now, TimeNs max_age);
  [[nodiscard]] uint64_t abandoned() const { return abandoned_; }

 private:
  struct Partial {
    Endpoint from;
    uint32_t message_id = 0;
    uint8_t count = 0;
    size_t fragment_size = 0;  // payload bytes of each fragment but the last
    size_t received = 0;
    std::vector<uint8_t> data;  // fragments 0..count-2
    std::vector<uint8_t> tail;  // the last fragment
    std::vector<bool> have;
    TimeNs started = 0;
  };
  size_t max_sources_;
  std::vector<Partial> partials_;
  std::vector<uint8_t> done_;
  uint64_t abandoned_ = 0;
};

}  // namespace tern::net
