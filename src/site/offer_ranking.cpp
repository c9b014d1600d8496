#include "site/offer_ranking.h"

#include <algorithm>
#include <tuple>

namespace tern::site {

std::vector<CandidateOffer> RankOffers(std::vector<CandidateOffer> offers) {
  std::stable_sort(offers.begin(), offers.end(), [](const CandidateOffer& a, const CandidateOffer& b) {
    return std::make_tuple(a.offer.predicted_seconds, -a.offer.preference, a.via, a.offer.offer_id) <
           std::make_tuple(b.offer.predicted_seconds, -b.offer.preference, b.via, b.offer.offer_id);
  });
  return offers;
}

double PredictMigrationSeconds(const VmDescriptor& vm, const LinkEstimate& link) {
  // A running guest dirties part of its memory while it is copied; a fifth re-sent is typical of
  // idle-to-moderate guests (seed 004's pre-copy rounds). A cold migration sends memory not at all (the VM is
  // stopped).
  constexpr double kRedirtiedFraction = 0.2;
  constexpr double kControlRoundTrips = 6;
  const double memory =
      vm.live ? static_cast<double>(vm.memory_mib) * 1024 * 1024 * (1 + kRedirtiedFraction) : 0;
  const double payload = memory + static_cast<double>(vm.disk_bytes);
  const double rate = std::max(link.bytes_per_second, 1.0);
  const double ratio = std::clamp(link.compression_ratio, 0.01, 1.0);
  return payload * ratio / rate + kControlRoundTrips * std::max(link.round_trip_seconds, 0.0);
}

}  // namespace tern::site
