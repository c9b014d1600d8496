// An in-memory federation for protocol tests: sites wired by a PartnerLink that calls the partner's handlers
// directly, and fake LocalSites whose "transfers" move a VM in a shared world model.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "site/site_protocol.h"

namespace tern::site::testing {

// Where every VM really runs: (site, host). A VM in two places or nowhere is a protocol bug.
struct World {
  std::map<std::string, std::pair<std::string, std::string>> location;
  int64_t now_ms = 1'000'000;
};

class Federation;

class FakeLocalSite : public LocalSite {
 public:
  FakeLocalSite(World& world, std::string site, std::vector<std::string> hosts)
      : world_(world), site_(std::move(site)), hosts_(std::move(hosts)) {}

  std::vector<LocalPlacement> PlacementsFor(const std::string& vm, const VmDescriptor& d) override;
  Result<ProxyTicket> IssueDestinationTicket(const std::string& vm, const std::string& host,
                                             const std::string& peer_site) override;
  Result<ProxyTicket> IssueSourceTicket(const std::string& vm, const std::string& host,
                                        const std::string& peer_proxy_key) override;
  Result<TransferResult> RunTransfer(const std::string& vm, const std::string& host,
                                     const ProxyTicket& source, const ProxyTicket& destination) override;
  Result<TransferResult> SourceTransferStatus(const std::string& vm, const ProxyTicket& source) override;

  std::string proxy_key() const { return "key-" + site_; }
  int fail_next_transfers = 0;   // transfers that fail (the VM stays at its source)
  double seconds_per_host = 10;  // predicted seconds of the first host; later hosts are slower
  std::set<std::string> issued_source_tokens;
  std::map<std::string, std::string> source_token_peer;  // token -> destination proxy key it is bound to
  std::map<std::string, TransferState> source_token_state;
  Federation* federation = nullptr;

 private:
  World& world_;
  std::string site_;
  std::vector<std::string> hosts_;
  int counter_ = 0;
};

class MemoryLink : public PartnerLink {
 public:
  MemoryLink(Federation& f, std::string self) : f_(f), self_(std::move(self)) {}
  Result<OfferList> RequestMigration(const std::string& partner, const MigrationRequest& r) override;
  Result<ForcedAnswer> ForceMigration(const std::string& partner, const ForcedMigration& r) override;
  Result<TransferResult> InitiateTransfer(const std::string& partner,
                                          const tern::site::InitiateTransfer& r) override;
  Result<TransferResult> VerifyTransfer(const std::string& partner, const TransferVerification& r) override;
  int calls = 0;

 private:
  Result<SiteProtocol*> Reach(const std::string& partner);
  Federation& f_;
  std::string self_;
};

struct SiteUnderTest {
  std::unique_ptr<FakeLocalSite> local;
  std::unique_ptr<MemoryLink> link;
  std::unique_ptr<SiteProtocol> protocol;
};

class Federation {
 public:
  // Adds a site with these hosts and this policy (policy.self is set to the name).
  SiteProtocol& Add(const std::string& name, std::vector<std::string> hosts, SitePolicy policy);
  SiteUnderTest& site(const std::string& name) { return sites_.at(name); }
  FakeLocalSite* LocalOfProxyKey(const std::string& key);
  World world;
  std::set<std::string> down;  // sites that do not answer

 private:
  std::map<std::string, SiteUnderTest> sites_;
};

}  // namespace tern::site::testing
