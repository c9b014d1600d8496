// A site's policy towards its partners (seed 003 §III-C, Migration request handler steps 3-4): whom it
// accepts requests from, to whom it may delegate, and which offers it exposes. Pure decisions, no I/O.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "site/offer_ranking.h"

namespace tern::site {

// What a site reveals to a partner in answer to a Migration request.
enum class Exposure {
  kAll,        // its own hosts and the offers of partners it delegates to
  kLocalOnly,  // its own hosts only (never delegates on behalf of this partner)
  kNothing,    // answers with no offers
};

struct PartnerPolicy {
  bool accept = true;                        // accept requests signed by this partner
  std::vector<std::string> may_delegate_to;  // partners a request from this partner may be forwarded to
  Exposure expose = Exposure::kAll;
  int preference = 0;  // added to offers this site makes to / receives through this partner
};

struct SitePolicy {
  std::string self;
  std::map<std::string, PartnerPolicy> partners;
  size_t max_offers = 8;  // at most this many offers in one answer

  // Ok when `from` may send requests here; PermissionDenied naming the partner otherwise.
  [[nodiscard]] Status Accepts(const std::string& from) const;
  // Partners a Migration request from `from` may be delegated to: allowed by policy, not already on the path.
  [[nodiscard]] std::vector<std::string> DelegationTargets(const std::string& from,
                                                           const std::vector<std::string>& path) const;
  // Limits an answer to `from` to what may be exposed to it, best offers first.
  [[nodiscard]] std::vector<CandidateOffer> Expose(const std::string& from,
                                                   std::vector<CandidateOffer> offers) const;
};

}  // namespace tern::site
