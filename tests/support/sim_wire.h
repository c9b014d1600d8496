// DelayedSwitch: the logic of the simulated inter-site link (tern-simwire, docs/simhosts.md): a learning
// layer-2 switch between N ports that hands each frame out a fixed delay after it arrived. Pure (no I/O, the
// caller supplies the clock), so it is unit-tested; the kernel has no netem here, so the link delay lives in
// userspace.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tern::testing {

class DelayedSwitch {
 public:
  using Time = std::chrono::steady_clock::time_point;

  struct Delivery {
    size_t port = 0;
    std::vector<uint8_t> frame;
  };

  // `header_size`: bytes before the Ethernet header in every frame (the virtio-net header of a TAP with
  // IFF_VNET_HDR). Frames are dropped while more than `max_queued_bytes` are in flight (a full link buffer).
  DelayedSwitch(size_t ports, std::chrono::nanoseconds delay, size_t header_size, size_t max_queued_bytes);

  // A frame arrived on `port` at `now`. Frames too short to hold an Ethernet header are dropped.
  void Receive(size_t port, std::vector<uint8_t> frame, Time now);
  // When the oldest frame in flight is due; nullopt when none is.
  [[nodiscard]] std::optional<Time> NextDue() const;
  // The frames due at `now`, in arrival order, each addressed to its output port (learned destination, or
  // every port but the input one for broadcast, multicast and unknown destinations).
  std::vector<Delivery> TakeDue(Time now);

  [[nodiscard]] uint64_t dropped() const { return dropped_; }
  [[nodiscard]] size_t queued_bytes() const { return queued_bytes_; }

 private:
  struct InFlight {
    Time due;
    size_t in_port = 0;
    std::optional<size_t> out_port;  // nullopt: flood
    std::vector<uint8_t> frame;
  };
  static uint64_t MacAt(const uint8_t* p);

  size_t ports_;
  std::chrono::nanoseconds delay_;
  size_t header_size_;
  size_t max_queued_bytes_;
  size_t queued_bytes_ = 0;
  uint64_t dropped_ = 0;
  std::deque<InFlight> queue_;  // constant delay: arrival order is due order
  std::unordered_map<uint64_t, size_t> mac_port_;
};

}  // namespace tern::testing
