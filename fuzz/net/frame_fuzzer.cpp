// libFuzzer target: FrameParser and the software offload fallback on arbitrary frames and virtio-net headers.
#include <vector>

#include "fuzz_targets.h"
#include "net/frame_parser.h"
#include "net/offload.h"

namespace tern::net::fuzz {

int FuzzFrame(const uint8_t* data, size_t size) {
  FrameInfo info;
  (void)ParseFrame({data, size}, 1518, info);
  (void)ParseFrame({data, size}, 65535 + 18, info);
  if (size < kVnetHdrSize) return 0;
  const VnetHdr vnet = VnetHdr::Load(data);
  std::vector<uint8_t> scratch;
  size_t total = 0;
  (void)ResolveOffloads(vnet, {data + kVnetHdrSize, size - kVnetHdrSize}, scratch,
                        [&](std::span<const uint8_t> f) { total += f.size(); });
  return 0;
}

}  // namespace tern::net::fuzz

TERN_FUZZ_MAIN(FuzzFrame)
