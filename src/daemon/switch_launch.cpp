#include "daemon/switch_launch.h"

namespace tern::daemon {

NetworkFiles FilesOf(const std::string& data_dir, const std::string& network) {
  NetworkFiles f;
  f.dir = data_dir + "/networks";
  const std::string base = f.dir + "/" + network;
  f.key = base + ".key";
  f.ports = base + ".ports";
  f.status = base + ".status.json";
  f.pid = base + ".pid";
  f.log = base + ".log";
  return f;
}

SwitchCommand BuildSwitchCommand(const std::string& binary, const SwitchSettings& s,
                                 const store::NetworkRecord& n,
                                 const std::vector<std::string>& peer_addresses, const NetworkFiles& files) {
  SwitchCommand c;
  const std::string port = std::to_string(n.port);
  c.argv = {binary, "run", "--network", n.name, "--key-file", files.key, "--listen", s.address + ":" + port};
  for (const auto& a : peer_addresses) {
    if (a == s.address) continue;
    c.argv.insert(c.argv.end(), {"--join", a + ":" + port});
  }
  c.argv.insert(c.argv.end(),
                {"--ports-file", files.ports, "--status-file", files.status, "--underlay-mtu",
                 std::to_string(s.underlay_mtu), "--heartbeat-ms", std::to_string(s.heartbeat_ms)});
  if (n.encrypt) c.argv.push_back("--encrypt");
  c.log_path = files.log;
  c.pid_path = files.pid;
  c.status_path = files.status;
  return c;
}

}  // namespace tern::daemon
