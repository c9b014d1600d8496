#include "daemon/switch_status.h"

#include <nlohmann/json.hpp>

namespace tern::daemon {

using nlohmann::json;

bool SwitchStatus::HasVmPort(int local, int remote) const {
  for (const auto& p : ports) {
    if (p.kind == "vm" && p.local == local && p.remote == remote) return true;
  }
  return false;
}

std::string SwitchStatus::PortError(int local, int remote) const {
  const std::string key = std::to_string(local) + ":" + std::to_string(remote) + ":";
  for (const auto& e : port_errors) {
    if (e.rfind(key, 0) == 0) return e;
  }
  return {};
}

Result<SwitchStatus> ParseSwitchStatus(const std::string& text, const std::string& source) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("switch status '" + source + "' is not a JSON object");
  }
  SwitchStatus s;
  try {
    s.pid = j.value("pid", 0);
    s.network = j.value("network", "");
    s.session = j.value("session", "");
    s.listen = j.value("listen", "");
    s.state = j.value("state", "");
    s.cipher = j.value("cipher", "");
    s.mtu = j.value("mtu", 0);
    s.encrypted = j.value("encrypted", false);
    const json empty = json::array();
    const auto member = [&](const char* key) -> const json& {
      auto it = j.find(key);
      return it != j.end() && it->is_structured() ? *it : empty;
    };
    for (const auto& p : member("peers")) {
      s.peers.push_back({p.value("session", ""), p.value("endpoint", ""), p.value("state", ""),
                         p.value("silent_ms", int64_t{0})});
    }
    for (const auto& p : member("ports")) {
      s.ports.push_back(
          {p.value("kind", ""), p.value("local", 0), p.value("remote", 0), p.value("label", "")});
    }
    for (const auto& e : member("port_errors")) {
      if (e.is_string()) s.port_errors.push_back(e.get<std::string>());
    }
    s.macs = static_cast<int64_t>(member("macs").size());
    for (const auto& [k, v] : member("counters").items()) {
      if (v.is_number_unsigned()) s.counters[k] = v.get<uint64_t>();
    }
  } catch (const json::exception& e) {
    return Status::InvalidArgument("switch status '" + source + "': " + e.what());
  }
  return s;
}

}  // namespace tern::daemon
