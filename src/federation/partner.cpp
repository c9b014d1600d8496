#include "federation/partner.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "federation/site_name.h"

namespace tern::federation {

std::string_view PartnerPolicyName(PartnerPolicy p) {
  return p == PartnerPolicy::kAccept ? "accept" : "deny";
}

std::string_view ExposureName(Exposure e) {
  return e == Exposure::kLocal ? "local" : "all";
}

Result<PartnerPolicy> ParsePartnerPolicy(std::string_view text) {
  if (text == "accept") return PartnerPolicy::kAccept;
  if (text == "deny") return PartnerPolicy::kDeny;
  return Status::InvalidArgument("policy '" + std::string(text) + "' is neither 'accept' nor 'deny'");
}

Result<Exposure> ParseExposure(std::string_view text) {
  if (text == "local") return Exposure::kLocal;
  if (text == "all") return Exposure::kAll;
  return Status::InvalidArgument("exposure '" + std::string(text) + "' is neither 'local' nor 'all'");
}

bool Partner::MayDelegateTo(std::string_view site) const {
  return std::any_of(delegate_to.begin(), delegate_to.end(),
                     [&](const std::string& d) { return d == "*" || d == site; });
}

Status ValidatePartnerUrl(std::string_view url, const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(what + ": URL '" + std::string(url) + "' " + why);
  };
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return bad("must start with http:// or https://");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.empty()) return bad("has no host");
  if (authority.find('@') != std::string_view::npos) return bad("must not carry user information");
  std::string_view host = authority;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed '[' in its host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("has characters after the IPv6 host");
    authority = after;
  } else {
    const size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (host.empty()) return bad("has no host");
  for (const char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':';
    if (!ok) return bad("has an invalid character in its host");
  }
  if (!authority.empty()) {  // ":port"
    const std::string_view port_text = authority.substr(1);
    int port = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return bad("has an invalid port");
    }
  }
  for (const char c : path) {
    if (c <= ' ' || c == 0x7f || c == '#' || c == '?')
      return bad("has a path with a space, '?', '#' or control");
  }
  return Status::Ok();
}

Status ValidatePartner(const Partner& p, std::string_view own_site) {
  const std::string what = "partner '" + p.name + "'";
  TERN_RETURN_IF_ERROR(ValidateSiteName(p.name, "partner name"));
  if (p.name == own_site) return Status::InvalidArgument(what + ": this is the site's own name");
  TERN_RETURN_IF_ERROR(ValidatePartnerUrl(p.url, what));
  if (std::all_of(p.public_key.begin(), p.public_key.end(), [](uint8_t b) { return b == 0; })) {
    return Status::InvalidArgument(what + ": the public key is all zero");
  }
  for (const std::string& d : p.delegate_to) {
    if (d == "*") continue;
    TERN_RETURN_IF_ERROR(ValidateSiteName(d, what + " delegate_to"));
    if (d == p.name) return Status::InvalidArgument(what + ": delegate_to names the partner itself");
    if (d == own_site) return Status::InvalidArgument(what + ": delegate_to names this site");
  }
  return Status::Ok();
}

nlohmann::json PartnerToJson(const Partner& p) {
  return nlohmann::json{{"name", p.name},
                        {"url", p.url},
                        {"public_key", PublicKeyToBase64(p.public_key)},
                        {"policy", PartnerPolicyName(p.policy)},
                        {"delegate_to", p.delegate_to},
                        {"expose", ExposureName(p.expose)}};
}

Result<Partner> PartnerFromJson(const nlohmann::json& j, const std::string& what) {
  if (!j.is_object()) return Status::InvalidArgument(what + ": a partner must be a JSON object");
  const auto text = [&](const char* field, bool required, std::string fallback) -> Result<std::string> {
    if (!j.contains(field)) {
      if (required) return Status::InvalidArgument(what + ": field '" + field + "' is missing");
      return fallback;
    }
    if (!j[field].is_string())
      return Status::InvalidArgument(what + ": field '" + field + "' must be a string");
    return j[field].get<std::string>();
  };
  Partner p;
  TERN_ASSIGN_OR_RETURN(p.name, text("name", true, ""));
  const std::string where = what + " '" + p.name + "'";
  TERN_ASSIGN_OR_RETURN(p.url, text("url", true, ""));
  TERN_ASSIGN_OR_RETURN(const std::string key, text("public_key", true, ""));
  TERN_ASSIGN_OR_RETURN(p.public_key, ParsePublicKey(key, where + " public_key"));
  TERN_ASSIGN_OR_RETURN(const std::string policy, text("policy", false, "accept"));
  auto parsed_policy = ParsePartnerPolicy(policy);
  if (!parsed_policy.ok()) return parsed_policy.status().WithContext(where);
  p.policy = *parsed_policy;
  TERN_ASSIGN_OR_RETURN(const std::string expose, text("expose", false, "local"));
  auto parsed_expose = ParseExposure(expose);
  if (!parsed_expose.ok()) return parsed_expose.status().WithContext(where);
  p.expose = *parsed_expose;
  if (j.contains("delegate_to")) {
    if (!j["delegate_to"].is_array()) {
      return Status::InvalidArgument(where + ": field 'delegate_to' must be an array of site names");
    }
    for (const auto& d : j["delegate_to"]) {
      if (!d.is_string()) return Status::InvalidArgument(where + ": 'delegate_to' holds a non-string");
      p.delegate_to.push_back(d.get<std::string>());
    }
  }
  return p;
}

}  // namespace tern::federation
