// libFuzzer target: the control message parser (and re-encoding), then the membership state machine.
#include <cstdlib>
#include <vector>

#include "fuzz_targets.h"
#include "net/control_message.h"
#include "net/membership.h"

namespace tern::net::fuzz {

int FuzzControl(const uint8_t* data, size_t size) {
  ControlMessage m;
  if (ParseControl({data, size}, m) != ControlError::kNone) return 0;
  std::vector<uint8_t> again;
  EncodeControl(m, again);
  ControlMessage m2;
  if (ParseControl(again, m2) != ControlError::kNone || m2.members != m.members || m2.kind != m.kind)
    std::abort();
  MembershipConfig cfg;
  Membership ms(1, cfg);
  Outbox out;
  const Endpoint from = Endpoint::V4(0x0a000002, 7000);
  ms.OnControl(from, 2, m, 0, out);
  ms.OnControl(from, 3, m, 1, out);
  ms.Tick(10 * kNsPerSec, out);
  ms.Tick(100 * kNsPerSec, out);
  return 0;
}

}  // namespace tern::net::fuzz

TERN_FUZZ_MAIN(FuzzControl)
