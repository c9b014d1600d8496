// SwitchSettings: the `switch:` section of ternd's configuration — how this host runs its tern-switch daemons
// (one per tern network) and which UDP ports they and the VM NICs on them may use.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "core/result.h"

namespace tern::daemon {

struct PortRange {
  int first = 0;
  int last = 0;
  [[nodiscard]] bool Contains(int port) const { return port >= first && port <= last; }
  [[nodiscard]] std::string ToString() const { return std::to_string(first) + "-" + std::to_string(last); }
};

struct SwitchSettings {
  std::string binary;   // the tern-switch program; "" = the one next to ternd's own executable
  std::string address;  // the underlay address this host's switches listen on; "" = the host of api.listen
  PortRange network_ports{7600, 7699};  // one per network, the same on every host of the site
  PortRange vm_ports{42000, 42999};     // two per VM NIC (the switch's end and QEMU's), on 127.0.0.1
  int underlay_mtu = 1500;
  int heartbeat_ms = 1000;
};

// "FIRST-LAST" with 1 <= FIRST <= LAST <= 65535; errors name `what`.
Result<PortRange> ParsePortRange(const std::string& text, const std::string& what);
// Reads the `switch:` mapping; unknown keys and bad values are errors naming `source` and the field.
Status ParseSwitchSettings(const YAML::Node& node, const std::string& source, const std::string& base_dir,
                           SwitchSettings& out);

}  // namespace tern::daemon
