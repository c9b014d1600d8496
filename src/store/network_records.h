// Plain records ternd keeps about tern-switch networks: the networks of the site (with their secret key) and
// the VM ports this host's switches serve.
#pragma once

#include <cstdint>
#include <string>

namespace tern::store {

struct NetworkRecord {
  std::string name;
  std::string key_hex;  // the network secret, 64 hex digits; never logged or shown
  int port = 0;         // the UDP port of the network's switch daemon, the same on every host of the site
  bool encrypt = false;
  int64_t created_at_ms = 0;
  std::string created_on;  // the host where `tern net create` ran
};

// One VM NIC attached to a network on this host: the switch's UDP port and QEMU's.
struct NetPortRecord {
  std::string network;
  std::string vm;
  std::string mac;
  int local_port = 0;   // the switch's end (libvirt <source port=>)
  int remote_port = 0;  // QEMU's end (libvirt <local port=>)
  int64_t created_at_ms = 0;
};

}  // namespace tern::store
