#include "context/names.h"

#include <cctype>
#include <vector>

namespace tern::context {
namespace {

bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool IsLowerOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsHex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return parts;
}

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned int cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const unsigned int min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

Status ValidateVmName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 63 && IsAlnum(name[0]);
  for (const char c : name) ok = ok && (IsAlnum(c) || c == '.' || c == '_' || c == '-');
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + name +
                                 "' is not a valid VM name (1 to 63 letters, digits, '.', '_' or '-', "
                                 "starting with a letter or digit)");
}

Status ValidateClassName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 32 && name[0] >= 'a' && name[0] <= 'z';
  for (const char c : name) ok = ok && (IsLowerOrDigit(c) || c == '_' || c == '-');
  if (ok) return Status::Ok();
  return Status::InvalidArgument(
      "'" + name +
      "' is not a valid class name (1 to 32 lowercase letters, digits, '_' or '-', "
      "starting with a letter)");
}

Status ValidateNetworkName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 32 && IsAlnum(name[0]);
  for (const char c : name) ok = ok && (IsAlnum(c) || c == '.' || c == '_' || c == '-');
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + name +
                                 "' is not a valid network name (1 to 32 letters, digits, '.', '_' or '-', "
                                 "starting with a letter or digit)");
}

Status ValidateValueKey(const std::string& key) {
  bool ok = !key.empty() && key.size() <= 255 && key != "." && key != "..";
  for (const char c : key) ok = ok && (IsAlnum(c) || c == '.' || c == '_' || c == '-');
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + key +
                                 "' is not a valid key (1 to 255 letters, digits, '.', '_' or '-'; "
                                 "not '.' or '..')");
}

Status ValidateMac(const std::string& mac) {
  const std::vector<std::string> octets = Split(mac, ':');
  bool ok = octets.size() == 6;
  for (const std::string& o : octets) ok = ok && o.size() == 2 && IsHex(o[0]) && IsHex(o[1]);
  if (!ok) {
    return Status::InvalidArgument("'" + mac +
                                   "' is not a valid MAC address (six colon-separated pairs of hex digits, "
                                   "e.g. 52:54:00:12:34:56)");
  }
  if ((std::stoi(octets[0], nullptr, 16) & 1) != 0) {
    return Status::InvalidArgument("'" + mac + "' is a multicast MAC address; a NIC needs a unicast one");
  }
  return Status::Ok();
}

Result<std::string> NormalizeContextPath(const std::string& path) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("'" + path + "' is not a valid context file path: " + why);
  };
  if (path.empty()) return bad("it is empty");
  if (path.find('\0') != std::string::npos) return bad("it contains a NUL byte");
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("it contains a control character");
  }
  if (!IsUtf8(path)) return bad("it is not valid UTF-8");
  if (path.front() == '/') return bad("it must be relative (no leading '/')");
  if (path.back() == '/') return bad("it must name a file (no trailing '/')");
  std::string normalized;
  for (const std::string& part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return bad("'..' is not allowed");
    if (part.size() > 255) return bad("a component is longer than 255 bytes");
    if (!normalized.empty()) normalized += '/';
    normalized += part;
  }
  if (normalized.empty()) return bad("it names no file");
  if (normalized == "values" || normalized.rfind("values/", 0) == 0) {
    return bad("'values/' is reserved for the class's key-values");
  }
  return normalized;
}

Status ContextPathSet::Add(const std::string& path) {
  if (files_.count(path) != 0) return Status::AlreadyExists("'" + path + "' is listed twice");
  if (const auto it = dirs_.find(path); it != dirs_.end()) {
    return Status::InvalidArgument("'" + path + "' conflicts with '" + it->second +
                                   "' (a path cannot be both a file and a directory)");
  }
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string dir = path.substr(0, pos);
    if (files_.count(dir) != 0) {
      return Status::InvalidArgument("'" + path + "' conflicts with '" + dir +
                                     "' (a path cannot be both a file and a directory)");
    }
  }
  files_.insert(path);
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    dirs_.emplace(path.substr(0, pos), path);
  }
  return Status::Ok();
}

}  // namespace tern::context
