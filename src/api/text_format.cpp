#include "api/text_format.h"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace tern::api {

std::string FormatTimeMs(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%d %H:%M:%S") << '.' << std::setw(3) << std::setfill('0') << (ms % 1000)
      << 'Z';
  return out.str();
}

std::string FormatVmTable(const std::vector<VmView>& vms) {
  std::ostringstream out;
  out << std::left << std::setw(24) << "NAME" << std::setw(12) << "STATE" << std::setw(16) << "HOST"
      << "LAYERS\n";
  for (const auto& v : vms) {
    std::string layers;
    for (const auto& l : v.layers) {
      if (!layers.empty()) layers += ", ";
      layers += l.class_name + "@g" + std::to_string(l.generation);
    }
    out << std::left << std::setw(24) << v.name << std::setw(12) << v.state << std::setw(16) << v.host
        << layers << '\n';
  }
  return out.str();
}

std::string FormatVmDetail(const VmView& v) {
  std::ostringstream out;
  out << "name:      " << v.name << '\n'
      << "uuid:      " << v.uuid << '\n'
      << "state:     " << v.state << '\n'
      << "host:      " << v.host << '\n'
      << "manifest:  " << v.manifest_source << '\n'
      << "created:   " << FormatTimeMs(v.created_at_ms) << '\n'
      << "layers:\n";
  out << "  " << std::left << std::setw(16) << "CLASS" << std::setw(10) << "PRIORITY" << std::setw(12)
      << "GENERATION" << std::setw(8) << "DEVICE" << std::setw(28) << "CHANGED" << std::setw(12) << "WHY"
      << "ORIGIN\n";
  for (const auto& l : v.layers) {
    out << "  " << std::left << std::setw(16) << l.class_name << std::setw(10) << l.priority << std::setw(12)
        << l.generation << std::setw(8) << l.device << std::setw(28) << FormatTimeMs(l.changed_at_ms)
        << std::setw(12) << l.reason << l.origin << '\n';
  }
  return out.str();
}

std::string FormatEvents(const std::vector<EventView>& events) {
  std::ostringstream out;
  for (const auto& e : events) {
    out << FormatTimeMs(e.at_ms) << "  " << std::left << std::setw(10) << e.kind << e.detail << '\n';
  }
  return out.str();
}

std::string FormatHost(const HostView& h) {
  std::ostringstream out;
  out << "host:        " << h.name << '\n'
      << "hostname:    " << h.hostname << '\n'
      << "libvirt:     " << h.libvirt_uri << '\n'
      << "domain type: " << h.domain_type << " (" << h.domain_type_reason << ")\n"
      << "version:     " << h.version << '\n';
  return out.str();
}

}  // namespace tern::api
