#include "net/offload.h"

#include <algorithm>
#include <cstring>

#include "net/byte_io.h"
#include "net/frame_parser.h"

namespace tern::net {
namespace {

uint32_t SumWords(const uint8_t* p, size_t n, uint32_t sum) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < n; i += 2) s += static_cast<uint32_t>((p[i] << 8) | p[i + 1]);
  if (i < n) s += static_cast<uint32_t>(p[i] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint32_t>(s);
}

}  // namespace

uint16_t OnesComplementSum(std::span<const uint8_t> data, uint32_t initial) {
  return static_cast<uint16_t>(SumWords(data.data(), data.size(), initial));
}

bool ResolveOffloads(const VnetHdr& vnet, std::span<const uint8_t> frame, std::vector<uint8_t>& scratch,
                     const std::function<void(std::span<const uint8_t>)>& emit) {
  if (!vnet.is_gso()) {
    scratch.assign(frame.begin(), frame.end());
    if (vnet.needs_csum()) {
      const size_t start = vnet.csum_start;
      const size_t field = start + vnet.csum_offset;
      if (start >= scratch.size() || field + 2 > scratch.size()) return false;
      // The field holds the pseudo-header sum already; sum from csum_start to the end and store the
      // complement.
      const uint16_t sum = OnesComplementSum(std::span<const uint8_t>(scratch).subspan(start));
      StoreBe16(&scratch[field], static_cast<uint16_t>(~sum));
    }
    emit(scratch);
    return true;
  }
  const uint8_t type = vnet.gso_type & static_cast<uint8_t>(~kVnetGsoEcn);
  if (type != kVnetGsoTcpV4 && type != kVnetGsoTcpV6) return false;
  FrameInfo info;
  if (ParseFrame(frame, frame.size(), info) != FrameError::kNone) return false;
  const size_t l3 = info.header_size;
  const bool v4 = type == kVnetGsoTcpV4;
  if (v4 && (info.ether_type != 0x0800 || frame.size() < l3 + 20)) return false;
  if (!v4 && (info.ether_type != 0x86dd || frame.size() < l3 + 40)) return false;
  const size_t ip_len = v4 ? (frame[l3] & 0x0f) * 4u : 40u;
  if (ip_len < 20 || (v4 && frame[l3 + 9] != 6) || (!v4 && frame[l3 + 6] != 6)) return false;
  const size_t l4 = l3 + ip_len;
  if (frame.size() < l4 + 20) return false;
  const size_t tcp_len = (frame[l4 + 12] >> 4) * 4u;
  const size_t hdrs = l4 + tcp_len;
  if (tcp_len < 20 || frame.size() < hdrs || vnet.gso_size == 0) return false;
  const size_t mss = vnet.gso_size;
  const size_t payload = frame.size() - hdrs;
  const uint32_t seq0 = LoadBe32(&frame[l4 + 4]);
  const uint8_t flags0 = frame[l4 + 13];
  const uint16_t id0 = v4 ? LoadBe16(&frame[l3 + 4]) : 0;
  size_t segs = std::max<size_t>(1, (payload + mss - 1) / mss);
  for (size_t i = 0; i < segs; ++i) {
    const size_t off = i * mss;
    const size_t len = std::min(mss, payload - off);
    scratch.resize(hdrs + len);
    std::memcpy(scratch.data(), frame.data(), hdrs);
    std::memcpy(scratch.data() + hdrs, frame.data() + hdrs + off, len);
    uint8_t* ip = scratch.data() + l3;
    uint8_t* tcp = scratch.data() + l4;
    if (v4) {
      StoreBe16(ip + 2, static_cast<uint16_t>(ip_len + tcp_len + len));
      StoreBe16(ip + 4, static_cast<uint16_t>(id0 + i));
      StoreBe16(ip + 10, 0);
      StoreBe16(ip + 10, static_cast<uint16_t>(~OnesComplementSum({ip, ip_len})));
    } else {
      StoreBe16(ip + 4, static_cast<uint16_t>(tcp_len + len));
    }
    StoreBe32(tcp + 4, static_cast<uint32_t>(seq0 + off));
    uint8_t flags = flags0;
    if (i + 1 < segs) flags &= static_cast<uint8_t>(~(0x01 | 0x08));  // FIN, PSH only on the last segment
    if (i > 0) flags &= static_cast<uint8_t>(~0x80);                  // CWR only on the first
    tcp[13] = flags;
    StoreBe16(tcp + 16, 0);
    // Pseudo-header: addresses, protocol, TCP length.
    uint32_t pseudo = 0;
    if (v4) {
      pseudo = SumWords(ip + 12, 8, 0);
    } else {
      pseudo = SumWords(ip + 8, 32, 0);
    }
    pseudo = SumWords(nullptr, 0, pseudo + 6 + static_cast<uint32_t>(tcp_len + len));
    const uint16_t sum = OnesComplementSum({tcp, tcp_len + len}, pseudo);
    StoreBe16(tcp + 16, static_cast<uint16_t>(~sum));
    emit(scratch);
  }
  return true;
}

}  // namespace tern::net
