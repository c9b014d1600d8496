#include "api/net_text_format.h"

#include <iomanip>
#include <sstream>

#include "api/text_format.h"

namespace tern::api {

std::string FormatNetworkTable(const std::vector<NetworkView>& networks) {
  std::ostringstream out;
  out << std::left << std::setw(20) << "NAME" << std::setw(8) << "PORT" << std::setw(10) << "FRAMES"
      << std::setw(26) << "SWITCH" << std::setw(8) << "PEERS"
      << "VM PORTS\n";
  for (const auto& n : networks) {
    out << std::left << std::setw(20) << n.name << std::setw(8) << n.port << std::setw(10)
        << (n.encrypt ? "encrypted" : "auth") << std::setw(26) << n.switch_state << std::setw(8)
        << n.peers.size() << n.ports.size() << '\n';
  }
  return out.str();
}

std::string FormatNetworkDetail(const NetworkView& n) {
  std::ostringstream out;
  out << "network:   " << n.name << '\n'
      << "created:   " << FormatTimeMs(n.created_at_ms) << " on " << n.created_on << '\n'
      << "frames:    " << (n.encrypt ? "authenticated and encrypted" : "authenticated") << " (" << n.cipher
      << ")\n"
      << "switch:    " << n.switch_state;
  if (n.switch_pid > 0) out << " (pid " << n.switch_pid << ")";
  out << " on " << n.host << ", " << n.listen << ", MTU " << n.mtu << '\n'
      << "member:    " << n.membership << ", session " << n.session << '\n'
      << "members:   " << n.peers.size() + 1 << " (this host and " << n.peers.size() << " peer"
      << (n.peers.size() == 1 ? "" : "s") << ")\n";
  out << "  " << std::left << std::setw(12) << "HOST" << std::setw(24) << "ENDPOINT" << std::setw(10)
      << "STATE"
      << "SILENT\n";
  out << "  " << std::left << std::setw(12) << n.host << std::setw(24) << n.listen << std::setw(10) << "self"
      << "-\n";
  for (const auto& p : n.peers) {
    out << "  " << std::left << std::setw(12) << (p.host.empty() ? "?" : p.host) << std::setw(24)
        << p.endpoint << std::setw(10) << p.state << p.silent_ms << " ms\n";
  }
  out << "vm ports:  " << n.ports.size() << '\n';
  if (!n.ports.empty()) {
    out << "  " << std::left << std::setw(20) << "VM" << std::setw(20) << "MAC" << std::setw(14) << "UDP"
        << "STATE\n";
    for (const auto& p : n.ports) {
      out << "  " << std::left << std::setw(20) << p.vm << std::setw(20) << p.mac << std::setw(14)
          << (std::to_string(p.local_port) + ":" + std::to_string(p.remote_port))
          << (p.open ? "open" : "not open") << '\n';
    }
  }
  for (const auto& e : n.port_errors) out << "port error: " << e << '\n';
  out << "mac table: " << n.macs << " entries\n";
  std::string counters;
  for (const auto& [k, v] : n.counters) {
    if (v == 0) continue;
    counters += (counters.empty() ? "" : ", ") + k + "=" + std::to_string(v);
  }
  out << "counters:  " << (counters.empty() ? "all zero" : counters) << '\n';
  return out.str();
}

std::string FormatNetworkAttach(const NetworkAttachView& a) {
  std::ostringstream out;
  out << "attached " << a.port.vm << " to " << a.port.network << " (mac " << a.port.mac << ", switch port "
      << a.port.local_port << ", qemu port " << a.port.remote_port << ")";
  if (a.restarted) out << "; the VM was restarted";
  out << '\n';
  if (!a.note.empty()) out << a.note << '\n';
  return out.str();
}

}  // namespace tern::api
