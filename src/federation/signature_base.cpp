#include "federation/signature_base.h"

#include <algorithm>
#include <cctype>

namespace tern::federation {

namespace {

struct UriParts {
  std::string scheme;
  std::string authority;
  std::string path;
  std::optional<std::string> query;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<UriParts> SplitUri(const std::string& uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) {
    return Status::InvalidArgument("target URI '" + uri + "' is not absolute (scheme://authority/path)");
  }
  UriParts parts;
  parts.scheme = Lower(uri.substr(0, scheme_end));
  std::string rest = uri.substr(scheme_end + 3);
  if (const size_t hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
  const size_t path_start = rest.find_first_of("/?");
  parts.authority = Lower(rest.substr(0, path_start));
  std::string path_query = path_start == std::string::npos ? "" : rest.substr(path_start);
  if (const size_t q = path_query.find('?'); q != std::string::npos) {
    parts.query = path_query.substr(q + 1);
    path_query.resize(q);
  }
  parts.path = path_query.empty() ? "/" : path_query;
  // The default port is not part of @authority (RFC 9421 §2.2.3).
  const std::string default_port = parts.scheme == "https" ? ":443" : parts.scheme == "http" ? ":80" : "";
  if (!default_port.empty() && parts.authority.ends_with(default_port)) {
    parts.authority.resize(parts.authority.size() - default_port.size());
  }
  if (parts.authority.empty()) return Status::InvalidArgument("target URI '" + uri + "' has no authority");
  return parts;
}

}  // namespace

Result<std::string> BuildSignatureBase(const sf::InnerList& covered, const std::vector<std::string>& values) {
  if (covered.items.size() != values.size()) {
    return Status::InvalidArgument("signature base: " + std::to_string(covered.items.size()) +
                                   " covered components but " + std::to_string(values.size()) + " values");
  }
  std::string base;
  std::vector<std::string> seen;
  for (size_t i = 0; i < covered.items.size(); ++i) {
    const sf::Item& id = covered.items[i];
    if (!std::holds_alternative<std::string>(id.value)) {
      return Status::InvalidArgument("signature base: covered component " + std::to_string(i + 1) +
                                     " is not a string");
    }
    const std::string serialized = sf::SerializeItem(id);
    if (std::find(seen.begin(), seen.end(), serialized) != seen.end()) {
      return Status::InvalidArgument("signature base: component " + serialized + " is covered twice");
    }
    seen.push_back(serialized);
    if (values[i].find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("signature base: the value of " + serialized + " contains a line break");
    }
    base += serialized + ": " + values[i] + "\n";
  }
  base += "\"@signature-params\": " + sf::SerializeInnerList(covered);
  return base;
}

Result<std::string> ComponentValue(const HttpRequest& request, const sf::Item& id) {
  const auto* name = std::get_if<std::string>(&id.value);
  if (name == nullptr) return Status::InvalidArgument("a covered component identifier must be a string");
  if (!id.params.empty()) {
    return Status::InvalidArgument("component \"" + *name + "\": component parameters are not supported");
  }
  if (name->empty()) return Status::InvalidArgument("empty component identifier");
  if (name->front() != '@') {
    if (Lower(*name) != *name) {
      return Status::InvalidArgument("component \"" + *name + "\": header names must be lowercase");
    }
    auto value = request.Header(*name);
    if (!value) return Status::InvalidArgument("covered header \"" + *name + "\" is absent from the request");
    return *value;
  }
  if (*name == "@method") return request.method;
  if (*name == "@target-uri") return request.target_uri;
  TERN_ASSIGN_OR_RETURN(const UriParts uri, SplitUri(request.target_uri));
  if (*name == "@authority") return uri.authority;
  if (*name == "@scheme") return uri.scheme;
  if (*name == "@path") return uri.path;
  if (*name == "@query") return "?" + uri.query.value_or("");
  if (*name == "@request-target") return uri.path + (uri.query ? "?" + *uri.query : "");
  return Status::InvalidArgument("derived component \"" + *name + "\" is not supported");
}

}  // namespace tern::federation
