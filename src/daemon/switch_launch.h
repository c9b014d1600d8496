// Where a tern network's files live on a host (key, ports file, status file, pid file, log) and the
// `tern-switch run` command ternd starts for it. Pure, unit-tested.
#pragma once

#include <string>
#include <vector>

#include "daemon/switch_process.h"
#include "daemon/switch_settings.h"
#include "store/network_records.h"

namespace tern::daemon {

struct NetworkFiles {
  std::string dir;  // data_dir/networks (0700)
  std::string key, ports, status, pid, log;
};

NetworkFiles FilesOf(const std::string& data_dir, const std::string& network);

// `binary run --network N --key-file K --listen ADDR:PORT --join PEER:PORT... --ports-file P --status-file S
// --underlay-mtu M --heartbeat-ms H [--encrypt]`: the switch joins through every other host of the site, so a
// restarted daemon finds the mesh through whichever host is up.
SwitchCommand BuildSwitchCommand(const std::string& binary, const SwitchSettings& settings,
                                 const store::NetworkRecord& network,
                                 const std::vector<std::string>& peer_addresses, const NetworkFiles& files);

}  // namespace tern::daemon
