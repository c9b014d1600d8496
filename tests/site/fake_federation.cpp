#include "fake_federation.h"

namespace tern::site::testing {

std::vector<LocalPlacement> FakeLocalSite::PlacementsFor(const std::string& vm, const VmDescriptor& /*d*/) {
  std::vector<LocalPlacement> out;
  double seconds = seconds_per_host;
  for (const auto& h : hosts_) {
    auto at = world_.location.find(vm);
    const bool here = at != world_.location.end() && at->second == std::make_pair(site_, h);
    if (!here) out.push_back({h, seconds});
    seconds += 1;
  }
  return out;
}

Result<ProxyTicket> FakeLocalSite::IssueDestinationTicket(const std::string& vm, const std::string& host,
                                                          const std::string& peer_site) {
  return ProxyTicket{
      "tern+proxy://" + site_ + "-gw:7600", proxy_key(),
      "d-" + site_ + "-" + vm + "-" + host + "-" + peer_site + "-" + std::to_string(++counter_)};
}

Result<ProxyTicket> FakeLocalSite::IssueSourceTicket(const std::string& vm, const std::string& host,
                                                     const std::string& peer_proxy_key) {
  auto at = world_.location.find(vm);
  if (at == world_.location.end() || at->second != std::make_pair(site_, host))
    return Status::NotFound("VM " + vm + " is not on " + site_ + "/" + host);
  std::string token = "s-" + site_ + "-" + vm + "-" + std::to_string(++counter_);
  issued_source_tokens.insert(token);
  source_token_peer[token] = peer_proxy_key;
  return ProxyTicket{"tern+proxy://" + site_ + "-gw:7600", proxy_key(), token};
}

Result<TransferResult> FakeLocalSite::RunTransfer(const std::string& vm, const std::string& host,
                                                  const ProxyTicket& source, const ProxyTicket& destination) {
  if (destination.proxy_key != proxy_key())
    return Status::InvalidArgument("destination ticket of another proxy");
  FakeLocalSite* src = federation->LocalOfProxyKey(source.proxy_key);
  if (src == nullptr || src->issued_source_tokens.erase(source.token) == 0)
    return TransferResult{TransferState::kFailed, "source refused the token"};
  if (src->source_token_peer[source.token] != proxy_key()) {
    src->source_token_state[source.token] = TransferState::kFailed;
    return TransferResult{TransferState::kFailed, "source token bound to another peer"};
  }
  if (fail_next_transfers > 0) {
    --fail_next_transfers;
    src->source_token_state[source.token] = TransferState::kFailed;
    return TransferResult{TransferState::kFailed, "link cut mid-transfer"};
  }
  world_.location[vm] = {site_, host};
  src->source_token_state[source.token] = TransferState::kSucceeded;
  return TransferResult{TransferState::kSucceeded, "VM " + vm + " running on " + site_ + "/" + host};
}

Result<TransferResult> FakeLocalSite::SourceTransferStatus(const std::string& vm, const ProxyTicket& source) {
  auto it = source_token_state.find(source.token);
  if (it == source_token_state.end()) {
    // Never used (the destination did not connect): the VM is still here.
    issued_source_tokens.erase(source.token);
    return TransferResult{TransferState::kFailed, "no transfer of " + vm + " happened"};
  }
  return TransferResult{it->second, ""};
}

Result<SiteProtocol*> MemoryLink::Reach(const std::string& partner) {
  ++calls;
  if (f_.down.count(partner) || f_.down.count(self_))
    return Status::Unavailable("site " + partner + " does not answer");
  return f_.site(partner).protocol.get();
}

Result<OfferList> MemoryLink::RequestMigration(const std::string& partner, const MigrationRequest& r) {
  TERN_ASSIGN_OR_RETURN(SiteProtocol * p, Reach(partner));
  return p->HandleMigrationRequest(self_, r);
}

Result<ForcedAnswer> MemoryLink::ForceMigration(const std::string& partner, const ForcedMigration& r) {
  TERN_ASSIGN_OR_RETURN(SiteProtocol * p, Reach(partner));
  return p->HandleForcedMigration(self_, r);
}

Result<TransferResult> MemoryLink::InitiateTransfer(const std::string& partner,
                                                    const tern::site::InitiateTransfer& r) {
  TERN_ASSIGN_OR_RETURN(SiteProtocol * p, Reach(partner));
  return p->HandleInitiateTransfer(self_, r);
}

Result<TransferResult> MemoryLink::VerifyTransfer(const std::string& partner, const TransferVerification& r) {
  TERN_ASSIGN_OR_RETURN(SiteProtocol * p, Reach(partner));
  return p->HandleTransferVerification(self_, r);
}

SiteProtocol& Federation::Add(const std::string& name, std::vector<std::string> hosts, SitePolicy policy) {
  policy.self = name;
  SiteUnderTest s;
  s.local = std::make_unique<FakeLocalSite>(world, name, std::move(hosts));
  s.local->federation = this;
  s.link = std::make_unique<MemoryLink>(*this, name);
  s.protocol = std::make_unique<SiteProtocol>(policy, *s.link, *s.local, [this] { return world.now_ms; });
  auto [it, inserted] = sites_.emplace(name, std::move(s));
  return *it->second.protocol;
}

FakeLocalSite* Federation::LocalOfProxyKey(const std::string& key) {
  for (auto& [name, s] : sites_)
    if (s.local->proxy_key() == key) return s.local.get();
  return nullptr;
}

}  // namespace tern::site::testing
