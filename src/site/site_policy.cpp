#include "site/site_policy.h"

#include <algorithm>

namespace tern::site {

Status SitePolicy::Accepts(const std::string& from) const {
  if (from == self) return Status::Ok();
  auto it = partners.find(from);
  if (it == partners.end())
    return Status::PermissionDenied("site '" + from + "' is not a partner of " + self);
  if (!it->second.accept)
    return Status::PermissionDenied("site " + self + " denies requests from '" + from + "'");
  return Status::Ok();
}

std::vector<std::string> SitePolicy::DelegationTargets(const std::string& from,
                                                       const std::vector<std::string>& path) const {
  std::vector<std::string> out;
  std::vector<std::string> allowed;
  if (from == self) {
    for (const auto& [name, p] : partners)
      if (p.accept) allowed.push_back(name);
  } else {
    auto it = partners.find(from);
    if (it == partners.end() || it->second.expose != Exposure::kAll) return out;
    allowed = it->second.may_delegate_to;
  }
  for (const auto& name : allowed) {
    if (name == self || name == from) continue;
    if (std::find(path.begin(), path.end(), name) != path.end()) continue;
    auto p = partners.find(name);
    if (p == partners.end() || !p->second.accept) continue;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::vector<CandidateOffer> SitePolicy::Expose(const std::string& from,
                                               std::vector<CandidateOffer> offers) const {
  Exposure exposure = Exposure::kAll;
  if (from != self) {
    auto it = partners.find(from);
    exposure = it == partners.end() ? Exposure::kNothing : it->second.expose;
  }
  if (exposure == Exposure::kNothing) return {};
  if (exposure == Exposure::kLocalOnly)
    offers.erase(
        std::remove_if(offers.begin(), offers.end(), [](const CandidateOffer& o) { return !o.via.empty(); }),
        offers.end());
  offers = RankOffers(std::move(offers));
  if (offers.size() > max_offers) offers.resize(max_offers);
  return offers;
}

}  // namespace tern::site
