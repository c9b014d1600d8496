// The UDP NICs (QEMU socket netdevs towards tern-switch) of a libvirt domain XML: listing them, moving them
// to other ports (a migration's destination XML) and adding one (tern net attach). Pure string work on
// libvirt's XML, unit-tested without libvirt.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace tern::daemon {

struct UdpNic {
  std::string mac;
  int switch_port = 0;  // <source port=>: where QEMU sends (the switch's end)
  int qemu_port = 0;    // <local port=>: where QEMU listens
  friend bool operator==(const UdpNic&, const UdpNic&) = default;
};

std::vector<UdpNic> ListUdpNics(const std::string& domain_xml);

struct UdpNicMove {
  int from_switch_port = 0, from_qemu_port = 0;
  int to_switch_port = 0, to_qemu_port = 0;
};
// Moves each listed NIC (found by its current ports) to its new ports; NotFound naming the ports when one is
// not in the XML.
Result<std::string> MoveUdpNics(const std::string& domain_xml, const std::vector<UdpNicMove>& moves);

// Adds <interface type='udp'> (virtio) before </devices>. InvalidArgument when the XML has no </devices> or
// the MAC is already used by one of its interfaces.
Result<std::string> AddUdpNic(const std::string& domain_xml, const UdpNic& nic);

}  // namespace tern::daemon
