// Ranks placement offers for the Controller (seed 003 §III-C step 3) and predicts migration times for offers
// a site makes (the cost model behind "predicted_seconds"). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "site/messages.h"

namespace tern::site {

// An offer together with the partner it came from ("" = this site's own hosts).
struct CandidateOffer {
  Offer offer;
  std::string via;
};

// Best first: shortest predicted migration time, then highest preference, then a stable order by via and
// offer id so that equal offers are ranked the same way every time.
std::vector<CandidateOffer> RankOffers(std::vector<CandidateOffer> offers);

// What a site knows about the path a VM's state would take to one of its hosts.
struct LinkEstimate {
  double bytes_per_second = 12.5e6;  // measured or configured throughput of the path (default 100 Mbit/s)
  double round_trip_seconds = 0.01;
  double compression_ratio = 1.0;  // expected wire bytes per payload byte (<1 when the stream compresses)
};

// Pre-copy model: all disk bytes and memory once, plus a re-sent fraction of memory dirtied meanwhile, over
// the path's effective rate, plus a handful of round trips of control traffic.
double PredictMigrationSeconds(const VmDescriptor& vm, const LinkEstimate& link);

}  // namespace tern::site
