#include "daemon/domain_files.h"

namespace tern::daemon {

namespace {

// The value of attribute `name` inside `element` (the text of one start tag), or "".
std::string Attribute(const std::string& element, const std::string& name) {
  for (const char quote : {'\'', '"'}) {
    const std::string key = " " + name + "=" + quote;
    const size_t at = element.find(key);
    if (at == std::string::npos) continue;
    const size_t start = at + key.size();
    const size_t end = element.find(quote, start);
    if (end != std::string::npos) return element.substr(start, end - start);
  }
  return {};
}

// Start tags named `tag` inside [from, to).
std::vector<std::string> StartTags(const std::string& xml, const std::string& tag, size_t from, size_t to) {
  std::vector<std::string> out;
  size_t pos = from;
  while ((pos = xml.find("<" + tag, pos)) != std::string::npos && pos < to) {
    const char next = xml[pos + tag.size() + 1];
    const size_t end = xml.find('>', pos);
    if (end == std::string::npos) break;
    if (next == ' ' || next == '/' || next == '>') out.push_back(xml.substr(pos, end - pos + 1));
    pos = end;
  }
  return out;
}

// [start, end) of each element `tag` whose start tag has attr=value.
std::vector<std::pair<size_t, size_t>> Elements(const std::string& xml, const std::string& tag) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  while ((pos = xml.find("<" + tag + " ", pos)) != std::string::npos) {
    const size_t end = xml.find("</" + tag + ">", pos);
    if (end == std::string::npos) break;
    out.emplace_back(pos, end);
    pos = end;
  }
  return out;
}

}  // namespace

std::vector<DomainDisk> ListFileDisks(const std::string& xml) {
  std::vector<DomainDisk> out;
  for (const auto& [start, end] : Elements(xml, "disk")) {
    const std::string head = xml.substr(start, xml.find('>', start) - start + 1);
    if (Attribute(head, "device") != "disk" || Attribute(head, "type") != "file") continue;
    DomainDisk d;
    for (const auto& s : StartTags(xml, "source", start, end)) d.path = Attribute(s, "file");
    for (const auto& s : StartTags(xml, "driver", start, end)) d.format = Attribute(s, "type");
    if (!d.path.empty()) out.push_back(d);
  }
  return out;
}

std::string SerialLogPath(const std::string& xml) {
  for (const auto& [start, end] : Elements(xml, "serial")) {
    const std::string head = xml.substr(start, xml.find('>', start) - start + 1);
    if (Attribute(head, "type") != "file") continue;
    for (const auto& s : StartTags(xml, "source", start, end)) {
      if (const std::string p = Attribute(s, "path"); !p.empty()) return p;
    }
  }
  return {};
}

std::string RewritePaths(const std::string& xml, const std::map<std::string, std::string>& paths) {
  std::string out = xml;
  for (const auto& [from, to] : paths) {
    for (const char q : {'\'', '"'}) {
      const std::string needle = std::string(1, q) + from + q;
      const std::string repl = std::string(1, q) + to + q;
      size_t pos = 0;
      while ((pos = out.find(needle, pos)) != std::string::npos) {
        out.replace(pos, needle.size(), repl);
        pos += repl.size();
      }
    }
  }
  return out;
}

}  // namespace tern::daemon
