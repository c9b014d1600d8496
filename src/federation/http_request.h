// HttpRequest: the parts of an HTTP request that cross-site signatures cover, independent of the HTTP library
// that sends or receives it (the API server and client copy their requests into and out of this).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::federation {

struct HttpRequest {
  std::string method;      // "POST"
  std::string target_uri;  // the absolute URI the request is sent to: "https://b.example:8443/v1/migrations"
  std::vector<std::pair<std::string, std::string>> headers;  // as sent; names compared case-insensitively
  std::string body;

  // The field's value: every line with that name (case-insensitive), each trimmed, joined with ", " (RFC 9421
  // §2.1); nullopt when absent.
  [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
  // Removes every line with that name and appends one with `value`.
  void SetHeader(std::string_view name, std::string value);
};

}  // namespace tern::federation
