// DaemonConfig: ternd's configuration file (YAML): who this host is, its libvirt, its data directory, its API
// address and the infrastructure context it gives to every VM it runs. Format: docs/operator-guide.md.
#pragma once

#include <string>
#include <vector>

#include "context/types.h"
#include "core/result.h"
#include "daemon/switch_settings.h"

namespace tern::daemon {

// Another host of the same site: where its ternd's API is, and the libvirt URI this host's libvirtd uses to
// migrate to it (peer-to-peer).
struct PeerHost {
  std::string name;
  std::string api;             // http://HOST:PORT
  std::string libvirt_uri;     // e.g. qemu+tcp://10.0.0.12/system
  std::string switch_address;  // where its tern-switch daemons listen; default: the host of `api`
};

struct DaemonConfig {
  std::string source;  // the config file's path
  std::string host_name;
  std::string libvirt_uri = "qemu:///system";
  std::string domain_type = "auto";  // auto | kvm | qemu
  std::string probe_kernel;          // a guest kernel + initrd that prints TERN:PROBE-OK (the test guest)
  std::string probe_initrd;
  std::string data_dir = "/var/lib/tern";
  std::string api_listen = "127.0.0.1:7480";
  context::ContextClass infrastructure;  // class name "infrastructure"
  std::vector<PeerHost> peers;           // the other hosts of this site
  bool recontextualize = true;  // false: arriving VMs keep the layer they came with (benchmark baseline)
  SwitchSettings net_switch;    // tern networks: this host's tern-switch daemons
};

Result<DaemonConfig> ParseDaemonConfigFile(const std::string& path);
Result<DaemonConfig> ParseDaemonConfigText(const std::string& text, const std::string& source_name,
                                           const std::string& base_dir);

}  // namespace tern::daemon
