#include "daemon/nic_xml.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tern::daemon {

namespace {

// [start, end) of the value of attribute `name` in the start tag at [tag_start, tag_end), or npos.
std::pair<size_t, size_t> AttributeSpan(const std::string& xml, size_t tag_start, size_t tag_end,
                                        const std::string& name) {
  for (const char quote : {'\'', '"'}) {
    const std::string key = " " + name + "=" + quote;
    const size_t at = xml.find(key, tag_start);
    if (at == std::string::npos || at >= tag_end) continue;
    const size_t start = at + key.size();
    const size_t end = xml.find(quote, start);
    if (end != std::string::npos && end < tag_end) return {start, end};
  }
  return {std::string::npos, std::string::npos};
}

int ToInt(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One <interface type='udp'> element: where its <mac>, <source> and <local> start tags are.
struct Element {
  size_t start = 0, end = 0;  // the whole element
  size_t mac_tag = std::string::npos, source_tag = std::string::npos, local_tag = std::string::npos;
};

size_t TagIn(const std::string& xml, const std::string& tag, size_t from, size_t to) {
  size_t pos = from;
  while ((pos = xml.find("<" + tag, pos)) != std::string::npos && pos < to) {
    const char next = xml[pos + tag.size() + 1];
    if (next == ' ' || next == '/' || next == '>') return pos;
    ++pos;
  }
  return std::string::npos;
}

std::vector<Element> UdpElements(const std::string& xml) {
  std::vector<Element> out;
  size_t pos = 0;
  while ((pos = xml.find("<interface ", pos)) != std::string::npos) {
    const size_t head_end = xml.find('>', pos);
    const size_t end = xml.find("</interface>", pos);
    if (head_end == std::string::npos || end == std::string::npos) break;
    const auto [ts, te] = AttributeSpan(xml, pos, head_end, "type");
    if (ts != std::string::npos && xml.compare(ts, te - ts, "udp") == 0) {
      Element e{pos, end};
      e.mac_tag = TagIn(xml, "mac", pos, end);
      e.source_tag = TagIn(xml, "source", pos, end);
      e.local_tag = TagIn(xml, "local", pos, end);
      out.push_back(e);
    }
    pos = end;
  }
  return out;
}

std::string Attr(const std::string& xml, size_t tag, const std::string& name) {
  if (tag == std::string::npos) return {};
  const auto [s, e] = AttributeSpan(xml, tag, xml.find('>', tag), name);
  return s == std::string::npos ? std::string() : xml.substr(s, e - s);
}

UdpNic Read(const std::string& xml, const Element& e) {
  return {Attr(xml, e.mac_tag, "address"), ToInt(Attr(xml, e.source_tag, "port")),
          ToInt(Attr(xml, e.local_tag, "port"))};
}

}  // namespace

std::vector<UdpNic> ListUdpNics(const std::string& xml) {
  std::vector<UdpNic> out;
  for (const auto& e : UdpElements(xml)) out.push_back(Read(xml, e));
  return out;
}

Result<std::string> MoveUdpNics(const std::string& xml, const std::vector<UdpNicMove>& moves) {
  // All NICs are matched against the original XML first (a NIC's new ports may be another's old ones), then
  // the port attributes are replaced from the end of the text backwards so that earlier offsets stay valid.
  const auto elements = UdpElements(xml);
  std::vector<std::pair<size_t, int>> edits;  // port tag -> new port
  std::vector<bool> used(elements.size(), false);
  for (const auto& m : moves) {
    bool found = false;
    for (size_t i = 0; i < elements.size() && !found; ++i) {
      const UdpNic nic = Read(xml, elements[i]);
      if (used[i] || nic.switch_port != m.from_switch_port || nic.qemu_port != m.from_qemu_port) continue;
      used[i] = true;
      found = true;
      edits.emplace_back(elements[i].source_tag, m.to_switch_port);
      edits.emplace_back(elements[i].local_tag, m.to_qemu_port);
    }
    if (!found) {
      return Status::NotFound("the domain XML has no UDP interface with switch port " +
                              std::to_string(m.from_switch_port) + " and QEMU port " +
                              std::to_string(m.from_qemu_port));
    }
  }
  std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out = xml;
  for (const auto& [tag, port] : edits) {
    const auto [s, e] = AttributeSpan(out, tag, out.find('>', tag), "port");
    out.replace(s, e - s, std::to_string(port));
  }
  return out;
}

Result<std::string> AddUdpNic(const std::string& xml, const UdpNic& nic) {
  const size_t devices_end = xml.rfind("</devices>");
  if (devices_end == std::string::npos) return Status::InvalidArgument("the domain XML has no </devices>");
  size_t pos = 0;
  while ((pos = xml.find("<mac ", pos)) != std::string::npos && pos < devices_end) {
    if (Lower(Attr(xml, pos, "address")) == Lower(nic.mac)) {
      return Status::InvalidArgument("the domain already has an interface with MAC " + nic.mac);
    }
    ++pos;
  }
  const std::string element =
      "    <interface type='udp'>\n      <mac address='" + nic.mac +
      "'/>\n      <source address='127.0.0.1' port='" + std::to_string(nic.switch_port) +
      "'>\n        <local address='127.0.0.1' port='" + std::to_string(nic.qemu_port) +
      "'/>\n      </source>\n      <model type='virtio'/>\n    </interface>\n  ";
  std::string out = xml;
  out.insert(devices_end, element);
  return out;
}

}  // namespace tern::daemon
