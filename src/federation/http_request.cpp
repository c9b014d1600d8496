#include "federation/http_request.h"

#include <algorithm>
#include <cctype>

namespace tern::federation {

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [n, v] : headers) {
    if (!SameName(n, name)) continue;
    if (out) {
      *out += ", ";
      *out += Trim(v);
    } else {
      out = std::string(Trim(v));
    }
  }
  return out;
}

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return SameName(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace tern::federation
