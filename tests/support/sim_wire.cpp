#include "sim_wire.h"

#include <stdexcept>

namespace tern::testing {

namespace {
constexpr size_t kEthHeader = 14;
}

DelayedSwitch::DelayedSwitch(size_t ports, std::chrono::nanoseconds delay, size_t header_size,
                             size_t max_queued_bytes)
    : ports_(ports), delay_(delay), header_size_(header_size), max_queued_bytes_(max_queued_bytes) {
  if (ports < 2) throw std::invalid_argument("DelayedSwitch needs at least 2 ports");
  if (delay.count() < 0) throw std::invalid_argument("DelayedSwitch: negative delay");
}

uint64_t DelayedSwitch::MacAt(const uint8_t* p) {
  uint64_t mac = 0;
  for (int i = 0; i < 6; ++i) mac = (mac << 8) | p[i];
  return mac;
}

void DelayedSwitch::Receive(size_t port, std::vector<uint8_t> frame, Time now) {
  if (port >= ports_) throw std::out_of_range("DelayedSwitch::Receive: no port " + std::to_string(port));
  if (frame.size() < header_size_ + kEthHeader || queued_bytes_ + frame.size() > max_queued_bytes_) {
    ++dropped_;
    return;
  }
  const uint8_t* eth = frame.data() + header_size_;
  const uint64_t dst = MacAt(eth);
  const uint64_t src = MacAt(eth + 6);
  const bool src_group = (eth[6] & 1) != 0;
  if (!src_group) mac_port_[src] = port;
  InFlight f;
  f.due = now + delay_;
  f.in_port = port;
  if ((eth[0] & 1) == 0) {  // unicast: a learned destination, else flood
    auto it = mac_port_.find(dst);
    if (it != mac_port_.end()) {
      if (it->second == port) {  // the destination is behind the port it came from: nothing to carry
        return;
      }
      f.out_port = it->second;
    }
  }
  queued_bytes_ += frame.size();
  f.frame = std::move(frame);
  queue_.push_back(std::move(f));
}

std::optional<DelayedSwitch::Time> DelayedSwitch::NextDue() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().due;
}

std::vector<DelayedSwitch::Delivery> DelayedSwitch::TakeDue(Time now) {
  std::vector<Delivery> out;
  while (!queue_.empty() && queue_.front().due <= now) {
    InFlight f = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= f.frame.size();
    if (f.out_port) {
      out.push_back({*f.out_port, std::move(f.frame)});
      continue;
    }
    for (size_t p = 0; p < ports_; ++p) {
      if (p != f.in_port) out.push_back({p, f.frame});
    }
  }
  return out;
}

}  // namespace tern::testing
