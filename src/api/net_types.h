// Request and response types of the network part of tern's API (`tern net ...`, peer calls that create a
// network on every host of the site), with their JSON encodings.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace tern::api {

struct NetworkCreateRequest {
  std::string name;
  bool encrypt = false;  // frames encrypted, not only authenticated
};

// Peer call: the host where `tern net create` ran hands the network (with its key) to the other hosts.
struct NetworkPeerRequest {
  std::string name;
  std::string key_hex;  // 64 hex digits
  int port = 0;         // the switch daemons' UDP port
  bool encrypt = false;
  int64_t created_at_ms = 0;
  std::string created_on;
};

// A VM NIC on a tern network: the switch's UDP port (local) and QEMU's (remote).
struct NetPortView {
  std::string network;
  std::string vm;
  std::string mac;
  int local_port = 0;
  int remote_port = 0;
  bool open = false;  // the switch serves it (from its status)
};

struct SwitchPeerView {
  std::string host;  // the peer host's name when its address is known, else ""
  std::string endpoint;
  std::string session;
  std::string state;  // alive | suspect
  int64_t silent_ms = 0;
};

// One network as one host sees it: the record, and its switch daemon's state from the daemon's status file.
struct NetworkView {
  std::string name;
  std::string host;  // the host that answered
  int port = 0;
  bool encrypt = false;
  int64_t created_at_ms = 0;
  std::string created_on;
  std::string switch_state;  // running | starting | down: <why>
  int switch_pid = 0;
  std::string listen;
  std::string session;
  std::string membership;  // the daemon's own state (joining | member | ...)
  int mtu = 0;
  std::string cipher;
  std::vector<SwitchPeerView> peers;
  std::vector<NetPortView> ports;
  int64_t macs = 0;
  std::map<std::string, uint64_t> counters;
  std::vector<std::string> port_errors;
};

struct NetworkAttachRequest {
  std::string vm;
  std::string mac;       // "" = tern picks one
  bool restart = false;  // a running VM is restarted so that the NIC appears (libvirt cannot hot-plug it)
};

struct NetworkAttachView {
  NetPortView port;
  bool restarted = false;
  std::string note;
};

nlohmann::json ToJson(const NetworkCreateRequest& r);
nlohmann::json ToJson(const NetworkPeerRequest& r);
nlohmann::json ToJson(const NetPortView& p);
nlohmann::json ToJson(const NetworkView& v);
nlohmann::json ToJson(const NetworkAttachRequest& r);
nlohmann::json ToJson(const NetworkAttachView& v);
Result<NetworkCreateRequest> NetworkCreateRequestFromJson(const nlohmann::json& j);
Result<NetworkPeerRequest> NetworkPeerRequestFromJson(const nlohmann::json& j);
Result<NetPortView> NetPortViewFromJson(const nlohmann::json& j);
Result<NetworkView> NetworkViewFromJson(const nlohmann::json& j);
Result<NetworkAttachRequest> NetworkAttachRequestFromJson(const nlohmann::json& j);
Result<NetworkAttachView> NetworkAttachViewFromJson(const nlohmann::json& j);

// The optional "net_ports" member of incoming requests and views (absent = none): the VM's NICs on tern
// networks.
nlohmann::json NetPortsToJson(const std::vector<NetPortView>& ports);
Result<std::vector<NetPortView>> NetPortsFromJson(const nlohmann::json& parent, const char* object);

}  // namespace tern::api
