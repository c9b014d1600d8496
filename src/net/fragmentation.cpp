#include "net/fragmentation.h"

#include <algorithm>
#include <cstring>

#include "net/byte_io.h"
#include "net/encapsulation.h"

namespace tern::net {

void WriteFragmentHeader(const FragmentHeader& h, uint8_t* p) {
  p[0] = kWireVersion;
  p[1] = static_cast<uint8_t>(MessageType::kFragment);
  p[2] = h.index;
  p[3] = h.count;
  StoreBe32(p + 4, h.message_id);
}

bool ParseFragmentHeader(std::span<const uint8_t> d, FragmentHeader& h) {
  if (d.size() <= kFragmentHeaderSize) return false;
  if (d[0] != kWireVersion || d[1] != static_cast<uint8_t>(MessageType::kFragment)) return false;
  h.index = d[2];
  h.count = d[3];
  h.message_id = LoadBe32(&d[4]);
  return h.count >= 2 && h.index < h.count;
}

size_t FragmentCount(size_t message_size, size_t max_datagram) {
  if (max_datagram <= kFragmentHeaderSize) return 0;
  const size_t per = max_datagram - kFragmentHeaderSize;
  const size_t n = (message_size + per - 1) / per;
  return n > kMaxFragments ? 0 : n;
}

size_t BuildFragments(std::span<const uint8_t> message, size_t max_datagram, uint32_t message_id,
                      std::vector<uint8_t>& out) {
  const size_t n = FragmentCount(message.size(), max_datagram);
  out.clear();
  if (n == 0) return 0;
  const size_t per = max_datagram - kFragmentHeaderSize;
  out.resize(message.size() + n * kFragmentHeaderSize);
  uint8_t* p = out.data();
  for (size_t i = 0; i < n; ++i) {
    const size_t off = i * per;
    const size_t len = std::min(per, message.size() - off);
    WriteFragmentHeader(FragmentHeader{static_cast<uint8_t>(i), static_cast<uint8_t>(n), message_id}, p);
    std::memcpy(p + kFragmentHeaderSize, message.data() + off, len);
    p += kFragmentHeaderSize + len;
  }
  return max_datagram;
}

ReassemblyResult Reassembler::Add(const Endpoint& from, std::span<const uint8_t> d, TimeNs now) {
  FragmentHeader h;
  if (!ParseFragmentHeader(d, h)) return ReassemblyResult::kDropped;
  const size_t len = d.size() - kFragmentHeaderSize;
  auto it =
      std::find_if(partials_.begin(), partials_.end(), [&](const Partial& p) { return p.from == from; });
  if (it != partials_.end() && it->message_id != h.message_id) {
    // A newer message started: the old one can no longer complete (one message in flight per source).
    if (it->received > 0) ++abandoned_;
    partials_.erase(it);
    it = partials_.end();
  }
  if (it == partials_.end()) {
    if (partials_.size() >= max_sources_) {
      auto oldest =
          std::min_element(partials_.begin(), partials_.end(),
                           [](const Partial& a, const Partial& b) { return a.started < b.started; });
      ++abandoned_;
      partials_.erase(oldest);
    }
    partials_.push_back(Partial{});
    it = partials_.end() - 1;
    it->from = from;
    it->message_id = h.message_id;
    it->count = h.count;
    it->have.assign(h.count, false);
    it->started = now;
  }
  Partial& p = *it;
  const bool last = h.index + 1 == p.count;
  if (h.count != p.count || p.have[h.index]) return ReassemblyResult::kDropped;
  if (last) {
    if (p.fragment_size != 0 && len > p.fragment_size) return ReassemblyResult::kDropped;
    p.tail.assign(d.begin() + kFragmentHeaderSize, d.end());
  } else {
    if (p.fragment_size == 0) {
      if (p.have[p.count - 1] && p.tail.size() > len) return ReassemblyResult::kDropped;
      p.fragment_size = len;
      p.data.resize(p.fragment_size * (p.count - 1));
    } else if (len != p.fragment_size) {
      return ReassemblyResult::kDropped;
    }
    std::memcpy(p.data.data() + p.fragment_size * h.index, d.data() + kFragmentHeaderSize, len);
  }
  p.have[h.index] = true;
  ++p.received;
  if (p.received < p.count) return ReassemblyResult::kIncomplete;
  done_ = std::move(p.data);
  done_.insert(done_.end(), p.tail.begin(), p.tail.end());
  partials_.erase(it);
  return ReassemblyResult::kComplete;
}

size_t Reassembler::Expire(TimeNs now, TimeNs max_age) {
  const size_t n = std::erase_if(partials_, [&](const Partial& p) { return now - p.started > max_age; });
  abandoned_ += n;
  return n;
}

}  // namespace tern::net
