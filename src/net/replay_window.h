// ReplayWindow: accepts each sequence number of one sender at most once (64-message sliding window, as
// IPsec).
#pragma once

#include <cstdint>

namespace tern::net {

class ReplayWindow {
 public:
  // True (and records it) if `seq` is new; false for a replay or a sequence older than the window.
  bool Accept(uint64_t seq) {
    if (!started_ || seq > top_) {
      const uint64_t shift = started_ ? seq - top_ : 64;
      bits_ = shift >= 64 ? 0 : bits_ << shift;
      bits_ |= 1;
      top_ = seq;
      started_ = true;
      return true;
    }
    const uint64_t age = top_ - seq;
    if (age >= 64) return false;
    const uint64_t bit = uint64_t{1} << age;
    if (bits_ & bit) return false;
    bits_ |= bit;
    return true;
  }

 private:
  bool started_ = false;
  uint64_t top_ = 0;
  uint64_t bits_ = 0;
};

}  // namespace tern::net
