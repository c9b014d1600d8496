// SwitchStatus: what a tern-switch daemon reports in its status file (docs/vswitch.md) — ternd reads it to
// know when a VM port is open and to show the network's members.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace tern::daemon {

struct SwitchStatus {
  struct Peer {
    std::string session, endpoint, state;
    int64_t silent_ms = 0;
  };
  struct Port {
    std::string kind;  // vm | tap
    int local = 0, remote = 0;
    std::string label;
  };
  int pid = 0;
  std::string network, session, listen, state, cipher;
  int mtu = 0;
  bool encrypted = false;
  std::vector<Peer> peers;
  std::vector<Port> ports;
  std::vector<std::string> port_errors;
  int64_t macs = 0;
  std::map<std::string, uint64_t> counters;

  [[nodiscard]] bool HasVmPort(int local, int remote) const;
  // The port error that names LOCAL:REMOTE, or "".
  [[nodiscard]] std::string PortError(int local, int remote) const;
};

Result<SwitchStatus> ParseSwitchStatus(const std::string& text, const std::string& source);

}  // namespace tern::daemon
