#include "net/ports_file.h"

#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

namespace tern::net {
namespace {

bool ParsePort(std::string_view s, uint16_t& out) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

bool ValidLabel(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

Result<std::vector<PortsFileEntry>> ParsePortsFile(std::string_view text, const std::string& source) {
  std::vector<PortsFileEntry> out;
  std::set<uint16_t> used;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto bad = [&](const std::string& problem) {
      return Status::InvalidArgument(source + ": line " + std::to_string(number) + ": " + problem);
    };
    std::istringstream words(line);
    std::string ports;
    std::string label;
    std::string extra;
    if (!(words >> ports) || ports.front() == '#') continue;
    words >> label >> extra;
    if (!extra.empty()) return bad("unexpected '" + extra + "' (expected LOCAL:REMOTE [LABEL])");
    const size_t colon = ports.find(':');
    PortsFileEntry e;
    if (colon == std::string::npos || !ParsePort(std::string_view(ports).substr(0, colon), e.local) ||
        !ParsePort(std::string_view(ports).substr(colon + 1), e.remote)) {
      return bad("'" + ports + "' is not LOCAL:REMOTE (two UDP ports 1..65535)");
    }
    if (e.local == e.remote) return bad("'" + ports + "': LOCAL and REMOTE are the same port");
    for (const uint16_t p : {e.local, e.remote}) {
      if (!used.insert(p).second) return bad("port " + std::to_string(p) + " is listed twice");
    }
    if (!label.empty() && !ValidLabel(label)) {
      return bad("label '" + label + "' is not 1 to 64 of letters, digits, '.', '_' or '-'");
    }
    e.label = label;
    out.push_back(std::move(e));
  }
  return out;
}

std::string FormatPortsFile(const std::vector<PortsFileEntry>& entries) {
  std::string out = "# tern-switch VM ports: LOCAL:REMOTE [LABEL] (written by ternd)\n";
  for (const auto& e : entries) {
    out += std::to_string(e.local) + ":" + std::to_string(e.remote);
    if (!e.label.empty()) out += " " + e.label;
    out += "\n";
  }
  return out;
}

}  // namespace tern::net
