// libFuzzer target: a daemon's receive path. The first byte picks how the rest arrives: as a raw datagram
// (forgeries, garbage, fragments), sealed with the network's key as a data or control message (so the parsers
// behind authentication are reached), or as a frame from a local port (with or without a virtio-net header).
#include <algorithm>
#include <cstring>
#include <vector>

#include "fuzz_targets.h"
#include "net/network_switch.h"

namespace tern::net::fuzz {
namespace {

struct NullIo : SwitchIo {
  void ToLocal(uint32_t, const VnetHdr&, std::span<const uint8_t> f) override { bytes += f.size(); }
  void ToPeer(const Endpoint&, std::span<const uint8_t> m) override { bytes += m.size(); }
  size_t bytes = 0;
};

}  // namespace

int FuzzSwitch(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const NetworkKey key = *NetworkKey::Derive("fuzz", std::vector<uint8_t>(32, 7), false);
  NullIo io;
  SwitchConfig cfg;
  NetworkSwitch sw(key, 1, cfg, io);
  sw.AddLocalPort(0);
  sw.AddLocalPort(1);
  const Endpoint peer = Endpoint::V4(0x0a000002, 7000);
  const uint8_t mode = data[0] % 5;
  ++data;
  --size;
  std::vector<uint8_t> buf;
  if (mode == 0) {  // raw datagrams, split at 0xff 0xff markers (several fragments per input)
    size_t start = 0;
    for (size_t i = 0; i + 1 < size; ++i) {
      if (data[i] == 0xff && data[i + 1] == 0xff) {
        buf.assign(data + start, data + i);
        sw.OnDatagram(peer, buf, static_cast<TimeNs>(i));
        start = i + 2;
        ++i;
      }
    }
    buf.assign(data + std::min(start, size), data + size);
    sw.OnDatagram(peer, buf, 0);
  } else if (mode == 1 || mode == 2) {  // sealed data / control
    buf.assign(kSealOverhead + size, 0);
    std::memcpy(buf.data() + kSealedHeaderSize, data, size);
    SealedHeader h;
    h.type = mode == 1 ? MessageType::kData : MessageType::kControl;
    h.flags = (size > 0 && (data[0] & 1)) ? kFlagVnetHdr : 0;
    h.network_id = key.id;
    h.sender_id = 2;
    h.sequence = 1;
    buf.resize(Seal(key, h, buf.data(), size));
    sw.OnDatagram(peer, buf, 0);
  } else {  // a local frame, mode 4 with a virtio-net header
    buf.assign(kHeadroom + size + kTailroom, 0);
    std::memcpy(buf.data() + kHeadroom, data, size);
    sw.OnLocalFrame(0, buf.data(), size, mode == 4, 0);
  }
  sw.Tick(5 * kNsPerSec);
  return 0;
}

}  // namespace tern::net::fuzz

TERN_FUZZ_MAIN(FuzzSwitch)
