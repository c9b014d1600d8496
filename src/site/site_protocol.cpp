#include "site/site_protocol.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace tern::site {

namespace {

bool Succeeded(const Result<TransferResult>& r) {
  return r.ok() && r->state == TransferState::kSucceeded;
}

std::string Describe(const Result<TransferResult>& r) {
  if (!r.ok()) return r.status().ToString();
  return ToString(r->state) + (r->detail.empty() ? "" : ": " + r->detail);
}

}  // namespace

SiteProtocol::SiteProtocol(SitePolicy policy, PartnerLink& partners, LocalSite& local, Clock now_ms)
    : policy_(std::move(policy)), partners_(partners), local_(local), now_ms_(std::move(now_ms)) {}

void SiteProtocol::AdoptLocalVm(const std::string& vm, const std::string& host,
                                const VmDescriptor& descriptor) {
  std::lock_guard lock(mu_);
  table_[vm] = Entry{host, "", "", descriptor, next_epoch_++};
}

std::map<std::string, SiteProtocol::Entry> SiteProtocol::Snapshot() const {
  std::lock_guard lock(mu_);
  return table_;
}

Result<SiteProtocol::Entry> SiteProtocol::EntryOf(const std::string& vm) const {
  std::lock_guard lock(mu_);
  auto it = table_.find(vm);
  if (it == table_.end()) return Status::NotFound("VM '" + vm + "' is not managed by site " + policy_.self);
  return it->second;
}

std::string SiteProtocol::NewOfferId() {
  // Offer ids need not be secret (only the partner an offer was made to may use it), but must not repeat
  // across restarts: a random prefix per process, a counter within it.
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
    return std::string(buf);
  }();
  return policy_.self + "-" + prefix + "-" + std::to_string(++offer_counter_);
}

void SiteProtocol::PruneOffers() {
  const int64_t now = now_ms_();
  for (auto it = offers_.begin(); it != offers_.end();) {
    if (now - it->second.created_ms > kOfferLifetimeMs) {
      it = offers_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<CandidateOffer> SiteProtocol::CollectOffers(const std::string& vm,
                                                        const MigrationRequest& request,
                                                        const std::vector<std::string>& partners,
                                                        std::vector<std::string>& notes) {
  std::vector<CandidateOffer> out;
  for (const auto& p : partners) {
    auto answer = partners_.RequestMigration(p, request);
    if (!answer.ok()) {
      notes.push_back("site " + p + " refused VM " + vm + ": " + answer.status().ToString());
      continue;
    }
    const int preference = policy_.partners.count(p) ? policy_.partners.at(p).preference : 0;
    for (auto o : answer->offers) {
      o.preference += preference;
      out.push_back(CandidateOffer{std::move(o), p});
    }
  }
  return out;
}

// --- Destination / Intermediary: Migration request handler
// ------------------------------------------------------

Result<OfferList> SiteProtocol::HandleMigrationRequest(const std::string& from,
                                                       const MigrationRequest& request) {
  TERN_RETURN_IF_ERROR(policy_.Accepts(from));
  if (from != policy_.self && (request.path.empty() || request.path.back() != from))
    return Status::InvalidArgument("migration request for VM '" + request.vm +
                                   "': path does not end with the sender '" + from + "'");
  if (std::find(request.path.begin(), request.path.end(), policy_.self) != request.path.end() &&
      from != policy_.self)
    return OfferList{};  // a loop: this site was already asked

  std::vector<CandidateOffer> candidates;
  {
    std::lock_guard lock(mu_);
    auto it = table_.find(request.vm);
    if (it != table_.end() && it->second.host.empty() && from != policy_.self && it->second.upstream != from)
      return Status::FailedPrecondition("VM '" + request.vm + "' is already managed by site " + policy_.self);
  }
  // Step 2: this site's hosts (unless another site was asked for, or the VM already runs here).
  const bool local_wanted = request.want_site.empty() || request.want_site == policy_.self;
  if (local_wanted && from != policy_.self) {
    auto here = EntryOf(request.vm);
    if (!here.ok() || here->host.empty()) {
      for (const auto& placement : local_.PlacementsFor(request.vm, request.descriptor)) {
        auto ticket = local_.IssueDestinationTicket(request.vm, placement.host, from);
        if (!ticket.ok()) continue;
        Offer o;
        o.destination = *ticket;
        o.predicted_seconds = placement.predicted_seconds;
        o.site_label = policy_.self;
        std::lock_guard lock(mu_);
        PruneOffers();
        o.offer_id = NewOfferId();
        offers_[o.offer_id] =
            OfferRecord{request.vm, from, placement.host, "", "", request.descriptor, now_ms_()};
        candidates.push_back(CandidateOffer{o, ""});
      }
    }
  }
  // Step 3: delegation, when policy allows and hops remain.
  if (request.hops_left > 0 && !(request.want_site == policy_.self)) {
    MigrationRequest forwarded = request;
    forwarded.path.push_back(policy_.self);
    forwarded.hops_left = request.hops_left - 1;
    std::vector<std::string> notes;
    for (auto& c :
         CollectOffers(request.vm, forwarded, policy_.DelegationTargets(from, request.path), notes)) {
      if (!request.want_site.empty() && c.offer.site_label != request.want_site) continue;
      std::lock_guard lock(mu_);
      PruneOffers();
      OfferRecord record{request.vm, from, "", c.via, c.offer.offer_id, request.descriptor, now_ms_()};
      c.offer.offer_id = NewOfferId();  // re-issued under this site's id: the asker never learns the next hop
      offers_[c.offer.offer_id] = record;
      candidates.push_back(std::move(c));
    }
  }
  // Step 4: expose only what policy allows.
  OfferList answer;
  for (auto& c : policy_.Expose(from, std::move(candidates))) answer.offers.push_back(std::move(c.offer));
  return answer;
}

// --- Source / Intermediary: Forced migration handler
// ------------------------------------------------------------

Result<ForcedAnswer> SiteProtocol::HandleForcedMigration(const std::string& from,
                                                         const ForcedMigration& request) {
  TERN_RETURN_IF_ERROR(policy_.Accepts(from));
  TERN_ASSIGN_OR_RETURN(Entry entry, EntryOf(request.vm));

  if (request.mode == ForcedMode::kEvict) {
    // Only the site this VM was delegated to may ask for it to be taken away.
    if (from == policy_.self || entry.next_hop != from)
      return Status::PermissionDenied("site '" + from + "' does not hold VM '" + request.vm +
                                      "' on behalf of site " + policy_.self);
    auto outcome = Migrate(request.vm, "", {from});
    ForcedAnswer answer;
    if (outcome.ok()) {
      answer.outcome = TransferResult{TransferState::kSucceeded, "VM " + request.vm + " moved away from " +
                                                                     from + " (" + request.reason + ")"};
    } else {
      answer.outcome = TransferResult{TransferState::kFailed, outcome.status().message()};
    }
    return answer;
  }

  // kPrepare: only the site upstream of this one (or this site as Controller) may move the VM.
  if (from != policy_.self && from != entry.upstream)
    return Status::PermissionDenied("site '" + from + "' is not responsible for VM '" + request.vm + "' at " +
                                    policy_.self);
  ForcedAnswer answer;
  if (!entry.host.empty()) {
    TERN_ASSIGN_OR_RETURN(answer.ticket,
                          local_.IssueSourceTicket(request.vm, entry.host, request.peer_proxy_key));
  } else {
    TERN_ASSIGN_OR_RETURN(auto forwarded, partners_.ForceMigration(entry.next_hop, request));
    if (!forwarded.ticket)
      return Status::Internal("site " + entry.next_hop + " answered a forced migration of VM '" + request.vm +
                              "' without a ticket");
    answer.ticket = forwarded.ticket;
  }
  std::lock_guard lock(mu_);
  departures_[request.vm] = Departure{entry.host, entry.next_hop, entry.epoch};
  return answer;
}

// --- Destination / Intermediary: Initiate transfer handler
// ------------------------------------------------------

Result<TransferResult> SiteProtocol::HandleInitiateTransfer(const std::string& from,
                                                            const InitiateTransfer& request) {
  TERN_RETURN_IF_ERROR(policy_.Accepts(from));
  OfferRecord offer;
  {
    std::lock_guard lock(mu_);
    PruneOffers();
    auto it = offers_.find(request.offer_id);
    if (it == offers_.end())
      return Status::NotFound("offer '" + request.offer_id + "' is unknown or expired at site " +
                              policy_.self);
    if (it->second.vm != request.vm)
      return Status::InvalidArgument("offer '" + request.offer_id + "' was made for VM '" + it->second.vm +
                                     "', not '" + request.vm + "'");
    if (it->second.asked_by != from)
      return Status::PermissionDenied("offer '" + request.offer_id + "' was not made to site '" + from + "'");
    offer = it->second;
    offers_.erase(it);  // single use
  }
  Result<TransferResult> result = Status::Internal("unreachable");
  if (!offer.host.empty()) {
    result = local_.RunTransfer(request.vm, offer.host, request.source, request.destination);
  } else {
    InitiateTransfer forwarded = request;
    forwarded.offer_id = offer.remote_offer_id;
    result = partners_.InitiateTransfer(offer.via, forwarded);
  }
  if (Succeeded(result)) {
    std::lock_guard lock(mu_);
    Entry& e = table_[request.vm];
    e.host = offer.host;
    e.next_hop = offer.via;
    e.upstream = from == policy_.self ? e.upstream : from;
    e.descriptor = offer.descriptor;
    e.epoch = next_epoch_++;
  }
  return result;
}

// --- Source / Intermediary: Transfer verification handler
// -------------------------------------------------------

Result<TransferResult> SiteProtocol::HandleTransferVerification(const std::string& from,
                                                                const TransferVerification& request) {
  TERN_RETURN_IF_ERROR(policy_.Accepts(from));
  Departure departure;
  {
    std::lock_guard lock(mu_);
    auto it = departures_.find(request.vm);
    if (it == departures_.end())
      return Status::NotFound("no transfer of VM '" + request.vm + "' was prepared at site " + policy_.self);
    departure = it->second;
    auto entry = table_.find(request.vm);
    if (from != policy_.self && (entry == table_.end() || entry->second.upstream != from))
      return Status::PermissionDenied("site '" + from + "' is not responsible for VM '" + request.vm +
                                      "' at " + policy_.self);
  }
  Result<TransferResult> result = Status::Internal("unreachable");
  if (!departure.host.empty()) {
    result = local_.SourceTransferStatus(request.vm, request.source);
  } else {
    result = partners_.VerifyTransfer(departure.next_hop, request);
  }
  if (result.ok()) {
    std::lock_guard lock(mu_);
    departures_.erase(request.vm);
    auto entry = table_.find(request.vm);
    // The VM left by the old route; forget it unless a newer placement (through this site) replaced the
    // entry.
    if (Succeeded(result) && entry != table_.end() && entry->second.epoch == departure.epoch)
      table_.erase(entry);
  }
  return result;
}

// --- Controller: main migration algorithm
// -----------------------------------------------------------------------

Result<MigrationOutcome> SiteProtocol::Migrate(const std::string& vm, const std::string& want_site,
                                               const std::vector<std::string>& exclude) {
  TERN_ASSIGN_OR_RETURN(Entry entry, EntryOf(vm));
  MigrationOutcome outcome;

  // Steps 1-2: ask every possible Destination, this site included.
  MigrationRequest request;
  request.vm = vm;
  request.descriptor = entry.descriptor;
  request.want_site = want_site;
  request.path = {policy_.self};
  for (const auto& x : exclude)
    if (x != policy_.self) request.path.push_back(x);
  std::vector<CandidateOffer> offers;
  if ((want_site.empty() || want_site == policy_.self) &&
      std::find(exclude.begin(), exclude.end(), policy_.self) == exclude.end()) {
    // Local hosts count as offers of this site to itself.
    for (const auto& placement : local_.PlacementsFor(vm, entry.descriptor)) {
      if (placement.host == entry.host) continue;
      auto ticket = local_.IssueDestinationTicket(vm, placement.host, policy_.self);
      if (!ticket.ok()) {
        outcome.notes.push_back("host " + placement.host + ": " + ticket.status().ToString());
        continue;
      }
      std::lock_guard lock(mu_);
      Offer o{NewOfferId(), *ticket, placement.predicted_seconds, 0, policy_.self};
      offers_[o.offer_id] =
          OfferRecord{vm, policy_.self, placement.host, "", "", entry.descriptor, now_ms_()};
      offers.push_back(CandidateOffer{o, ""});
    }
  }
  if (want_site != policy_.self) {
    std::vector<std::string> partners = policy_.DelegationTargets(policy_.self, request.path);
    for (auto& c : CollectOffers(vm, request, partners, outcome.notes)) {
      if (!want_site.empty() && c.offer.site_label != want_site) continue;
      offers.push_back(std::move(c));
    }
  }
  // Step 3: best first.
  offers = RankOffers(std::move(offers));
  if (offers.empty()) {
    std::string why;
    for (const auto& n : outcome.notes) why += "; " + n;
    return Status::FailedPrecondition("no site offered to take VM '" + vm + "'" +
                                      (want_site.empty() ? "" : " at site " + want_site) + why);
  }

  // Steps 4-7, one offer after the other: the Source prepares, the Destination pulls, the Source confirms.
  for (const auto& d : offers) {
    if (outcome.attempts == kMaxMigrationAttempts) break;
    ++outcome.attempts;
    ForcedMigration prepare{vm, ForcedMode::kPrepare, d.offer.destination.proxy_key,
                            "migration to a new placement"};
    auto source = HandleForcedMigration(policy_.self, prepare);
    if (!source.ok())
      return Status(source.status().code(),
                    "VM '" + vm + "' cannot leave its source: " + source.status().message());
    const ProxyTicket s = *source->ticket;

    InitiateTransfer initiate{vm, d.offer.offer_id, s, d.offer.destination};
    Result<TransferResult> d_stat = d.via.empty() ? HandleInitiateTransfer(policy_.self, initiate)
                                                  : partners_.InitiateTransfer(d.via, initiate);
    Result<TransferResult> s_stat = HandleTransferVerification(policy_.self, TransferVerification{vm, s});
    const bool moved = Succeeded(s_stat);
    if (moved && !Succeeded(d_stat))
      outcome.notes.push_back("destination's answer was " + Describe(d_stat) +
                              ", but the source confirms the move");
    if (moved) {
      if (!d.via.empty()) {
        std::lock_guard lock(mu_);
        Entry& e = table_[vm];
        e.host.clear();
        e.next_hop = d.via;
        e.descriptor = entry.descriptor;
        e.upstream = entry.upstream;
        e.epoch = next_epoch_++;
      }
      outcome.via = d.via;
      outcome.site_label = d.offer.site_label;
      outcome.offer = d.offer;
      return outcome;
    }
    // The VM is still at its source: try the next offer.
    outcome.notes.push_back("attempt " + std::to_string(outcome.attempts) + " (" +
                            (d.offer.site_label.empty() ? d.via : d.offer.site_label) +
                            ") failed: destination " + Describe(d_stat) + "; source " + Describe(s_stat));
    if (!s_stat.ok()) break;  // the source cannot be asked: do not start another transfer blindly
  }
  std::string why;
  for (const auto& n : outcome.notes) why += "; " + n;
  return Status::Unavailable("VM '" + vm + "' was not migrated and keeps running at its source" + why);
}

}  // namespace tern::site
