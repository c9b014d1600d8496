// One site's part in the federation protocol (seed 003 §III-C): the handlers of the four operations
// (Destination, Source and Intermediary roles) and the Controller's main migration algorithm. I/O goes
// through PartnerLink (other sites) and LocalSite (this site's hosts and proxy), so the protocol is tested
// without sockets or VMs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "site/local_site.h"
#include "site/messages.h"
#include "site/offer_ranking.h"
#include "site/partner_link.h"
#include "site/site_policy.h"

namespace tern::site {

// How a Controller-run migration ended.
struct MigrationOutcome {
  std::string via;         // the partner the VM went to ("" = a host of this site)
  std::string site_label;  // what the chosen offer disclosed about its destination
  Offer offer;
  int attempts = 0;
  std::vector<std::string> notes;  // refused partners, failed attempts: why
};

class SiteProtocol {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds

  SiteProtocol(SitePolicy policy, PartnerLink& partners, LocalSite& local, Clock now_ms);

  // A VM deployed on a host of this site (this site is its primary site: nobody upstream).
  void AdoptLocalVm(const std::string& vm, const std::string& host, const VmDescriptor& descriptor);

  // --- Controller: main migration algorithm. want_site: "" = best offer anywhere (this site included);
  // otherwise only offers of that site. exclude: sites that must not receive the VM.
  Result<MigrationOutcome> Migrate(const std::string& vm, const std::string& want_site,
                                   const std::vector<std::string>& exclude = {});

  // --- Handlers; `from` is the authenticated partner (or this site's own name).
  Result<OfferList> HandleMigrationRequest(const std::string& from, const MigrationRequest& request);
  Result<ForcedAnswer> HandleForcedMigration(const std::string& from, const ForcedMigration& request);
  Result<TransferResult> HandleInitiateTransfer(const std::string& from, const InitiateTransfer& request);
  Result<TransferResult> HandleTransferVerification(const std::string& from,
                                                    const TransferVerification& request);

  // What this site knows about a VM: its host here, or only the partner it was delegated to.
  struct Entry {
    std::string host;
    std::string next_hop;
    std::string upstream;  // the partner that delegated the VM here ("" = this site is its primary site)
    VmDescriptor descriptor;
    uint64_t epoch = 0;  // bumped on every change, so a stale departure never erases a newer placement
  };
  [[nodiscard]] std::map<std::string, Entry> Snapshot() const;
  [[nodiscard]] const std::string& self() const { return policy_.self; }

 private:
  struct OfferRecord {
    std::string vm;
    std::string asked_by;  // the partner the offer was made to: only it may initiate the transfer
    std::string host;      // local offer
    std::string via;       // delegated offer: the partner and its offer id
    std::string remote_offer_id;
    VmDescriptor descriptor;
    int64_t created_ms = 0;
  };
  struct Departure {
    std::string host;
    std::string next_hop;
    uint64_t epoch = 0;
  };

  std::vector<CandidateOffer> CollectOffers(const std::string& vm, const MigrationRequest& request,
                                            const std::vector<std::string>& partners,
                                            std::vector<std::string>& notes);
  std::string NewOfferId();
  void PruneOffers();
  Result<Entry> EntryOf(const std::string& vm) const;

  SitePolicy policy_;
  PartnerLink& partners_;
  LocalSite& local_;
  Clock now_ms_;

  mutable std::mutex mu_;  // guards the maps below; never held across a call to a partner or the local site
  std::map<std::string, Entry> table_;
  std::map<std::string, OfferRecord> offers_;
  std::map<std::string, Departure> departures_;
  uint64_t next_epoch_ = 1;
  uint64_t offer_counter_ = 0;
};

// Offers stay valid this long after they were made (the Controller chooses within seconds).
inline constexpr int64_t kOfferLifetimeMs = 10 * 60 * 1000;
// The Controller tries at most this many offers before giving up (the VM stays at its source).
inline constexpr int kMaxMigrationAttempts = 3;

}  // namespace tern::site
