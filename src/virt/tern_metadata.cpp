#include "virt/tern_metadata.h"

#include "virt/domain_xml.h"

namespace tern::virt {

namespace {

std::string Unescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const size_t semi = s.find(';', i);
    const std::string ent = semi == std::string::npos ? "" : s.substr(i + 1, semi - i - 1);
    if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() > 1 && ent[0] == '#') {
      const long code = ent[1] == 'x' ? std::strtol(ent.c_str() + 2, nullptr, 16)
                                      : std::strtol(ent.c_str() + 1, nullptr, 10);
      if (code > 0 && code < 128) out.push_back(static_cast<char>(code));
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

std::string LocalName(const std::string& qname) {
  const size_t colon = qname.find(':');
  return colon == std::string::npos ? qname : qname.substr(colon + 1);
}

}  // namespace

std::string RenderTernMetadataXml(const std::map<std::string, std::string>& values) {
  // No prefix and no namespace: virDomainSetMetadata puts the element into tern's namespace itself (and fails
  // with "failed to create a new XML namespace" when the element declares one).
  std::string out = "<vm>";
  for (const auto& [k, v] : values) {
    const std::string key = XmlEscape(k);
    out += "<" + key + ">" + XmlEscape(v) + "</" + key + ">";
  }
  out += "</vm>";
  return out;
}

Result<std::map<std::string, std::string>> ParseTernMetadataXml(const std::string& xml,
                                                                const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(what + ": tern metadata " + why);
  };
  size_t pos = xml.find('<');
  while (pos != std::string::npos && (xml.compare(pos, 2, "<?") == 0 || xml.compare(pos, 4, "<!--") == 0)) {
    pos = xml.find('<', xml.find('>', pos));
  }
  if (pos == std::string::npos) return bad("has no root element");
  const size_t root_end = xml.find('>', pos);
  if (root_end == std::string::npos) return bad("has an unterminated root element");
  if (xml[root_end - 1] == '/') return std::map<std::string, std::string>{};  // <tern:vm/>
  std::map<std::string, std::string> out;
  size_t i = root_end + 1;
  while (true) {
    const size_t open = xml.find('<', i);
    if (open == std::string::npos) return bad("is not closed");
    if (xml[open + 1] == '/') break;  // the root's closing tag
    const size_t gt = xml.find('>', open);
    if (gt == std::string::npos) return bad("has an unterminated element");
    std::string tag = xml.substr(open + 1, gt - open - 1);
    const bool empty = !tag.empty() && tag.back() == '/';
    if (empty) tag.pop_back();
    const std::string qname = tag.substr(0, tag.find_first_of(" \t\r\n"));
    if (qname.empty()) return bad("has an element without a name");
    if (empty) {
      out[LocalName(qname)] = "";
      i = gt + 1;
      continue;
    }
    const std::string close = "</" + qname + ">";
    const size_t end = xml.find(close, gt + 1);
    if (end == std::string::npos) return bad("element <" + qname + "> is not closed");
    out[LocalName(qname)] = Unescape(xml.substr(gt + 1, end - gt - 1));
    i = end + close.size();
  }
  return out;
}

}  // namespace tern::virt
