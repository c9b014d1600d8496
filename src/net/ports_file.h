// PortsFile: the list of VM ports a tern-switch daemon serves, as ternd writes it (--ports-file), one
// "LOCAL:REMOTE [LABEL]" per line. The daemon re-reads it on SIGHUP and opens or closes ports to match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tern::net {

struct PortsFileEntry {
  uint16_t local = 0;   // the daemon's UDP port (libvirt's <source port=>)
  uint16_t remote = 0;  // QEMU's UDP port (libvirt's <local port=>)
  std::string label;    // optional, e.g. the VM's name; shown in the status file

  friend bool operator==(const PortsFileEntry&, const PortsFileEntry&) = default;
};

// Parses the file's text. Blank lines and lines starting with '#' are ignored. Errors name the source, the
// line number and the problem: a port outside 1..65535, LOCAL equal to REMOTE, a port used twice, a label
// that is not 1..64 of [A-Za-z0-9._-], extra fields.
Result<std::vector<PortsFileEntry>> ParsePortsFile(std::string_view text, const std::string& source);
// The text ParsePortsFile reads back.
std::string FormatPortsFile(const std::vector<PortsFileEntry>& entries);

}  // namespace tern::net
