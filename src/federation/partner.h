// Partner: one entry of a site's trust store — a partner site's name, URL, public key and the policy this
// site applies to it — with its validation and JSON form (docs/protocol.md, "Trust store").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "federation/public_key.h"

namespace tern::federation {

// Whether signed requests and transfer channels from the partner are accepted at all.
enum class PartnerPolicy { kAccept, kDeny };
// What this site offers the partner in answer to a Migration request: only its own placements ("local"), or
// also placements obtained by delegating to further partners ("all").
enum class Exposure { kLocal, kAll };

std::string_view PartnerPolicyName(PartnerPolicy p);
std::string_view ExposureName(Exposure e);
Result<PartnerPolicy> ParsePartnerPolicy(std::string_view text);
Result<Exposure> ParseExposure(std::string_view text);

struct Partner {
  std::string name;
  std::string url;  // the partner's federation endpoint, http(s)://host[:port][/path]
  PublicKey public_key{};
  PartnerPolicy policy = PartnerPolicy::kAccept;
  // Sites this site may delegate the partner's VMs to; "*" means any accepted partner.
  std::vector<std::string> delegate_to;
  Exposure expose = Exposure::kLocal;

  [[nodiscard]] bool MayDelegateTo(std::string_view site) const;
  friend bool operator==(const Partner&, const Partner&) = default;
};

// Checks every field; `own_site` (this site's name) must not be the partner's name nor a delegation target.
Status ValidatePartner(const Partner& p, std::string_view own_site);
// Checks an http:// or https:// URL with a host (and optional port and path) and nothing else.
Status ValidatePartnerUrl(std::string_view url, const std::string& what);

nlohmann::json PartnerToJson(const Partner& p);
// InvalidArgument naming `what` and the field on a missing or mistyped field (does not run ValidatePartner).
Result<Partner> PartnerFromJson(const nlohmann::json& j, const std::string& what);

}  // namespace tern::federation
