// Syntax checks for the names and paths a manifest may contain: VM names, class names, value keys, MAC
// addresses and context file paths. Each returns a Status whose message describes the problem (without a
// field prefix).
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/result.h"

namespace tern::context {

// What libvirt accepts and tern allows: [A-Za-z0-9][A-Za-z0-9._-]{0,62}.
Status ValidateVmName(const std::string& name);
// Context class names: [a-z][a-z0-9_-]{0,31}.
Status ValidateClassName(const std::string& name);
// tern network names (tern-switch networks; also file names on the hosts): [A-Za-z0-9][A-Za-z0-9._-]{0,31}.
Status ValidateNetworkName(const std::string& name);
// Key-value keys (each becomes a file name): [A-Za-z0-9_.-]{1,255}, not "." or "..".
Status ValidateValueKey(const std::string& key);
// Unicast MAC address written as six colon-separated pairs of hex digits, e.g. 52:54:00:12:34:56.
Status ValidateMac(const std::string& mac);
// Turns a context file path into its normalized form: relative, '/'-separated, no empty or "." components,
// no "..", no leading or trailing '/', valid UTF-8 without control characters, each component at most 255
// bytes; not under the reserved "values/" directory (that one holds the key-values).
Result<std::string> NormalizeContextPath(const std::string& path);

// The set of normalized file paths of one layer: refuses a path listed twice, and a path that would be both a
// file and a directory ("etc" next to "etc/app.conf").
class ContextPathSet {
 public:
  Status Add(const std::string& normalized_path);

 private:
  std::set<std::string> files_;
  std::map<std::string, std::string> dirs_;  // directory -> the first file below it
};

}  // namespace tern::context
