// Messages of the federation protocol between sites (seed 003 §III-B): Migration request, Forced migration,
// Initiate transfer and Transfer verification, with strict JSON codecs (every error names the field).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tern::site {

// What a prospective Destination needs to judge a VM (the placement-relevant part of the VM descriptor).
struct VmDescriptor {
  int memory_mib = 0;
  int vcpus = 1;
  uint64_t disk_bytes = 0;  // bytes of disk state that must travel with the VM
  bool live = true;         // live migration of a running VM; false: cold (primary placement, stopped VM)
};

// Migration request: "can you take this VM?" (Controller or Intermediary → prospective Destination).
struct MigrationRequest {
  std::string vm;  // the VM identifier, unique across the federation
  VmDescriptor descriptor;
  std::string want_site;          // optional: only offers of this site are wanted (tern vm migrate --to-site)
  std::vector<std::string> path;  // sites the request went through, the sender last (loops are refused)
  int hops_left = 2;              // how many more times the request may be delegated
};

// A transfer proxy endpoint and the token that authorizes one transfer through it.
struct ProxyTicket {
  std::string proxy_uri;  // e.g. tern+proxy://203.0.113.7:7600
  std::string
      proxy_key;      // the proxy's site public key (base64 Ed25519), for the mutually authenticated channel
  std::string token;  // opaque, single use, bound to VM, direction and peer
};

// One placement option returned for a Migration request. offer_id is meaningful only to the site that
// returned it: an Intermediary re-issues offers of its partners under its own ids (location unawareness).
struct Offer {
  std::string offer_id;
  ProxyTicket destination;
  double predicted_seconds = 0;  // predicted migration time as estimated by the offering chain
  int preference = 0;            // higher is better (site policy of the offering chain)
  std::string site_label;  // what the offering chain chose to disclose about the destination (may be "")
};

struct OfferList {
  std::vector<Offer> offers;
};

// Forced migration, in two modes. kPrepare: "prepare the VM to leave" (Controller → Source, along the chain);
// the Source answers with its proxy ticket, the token bound to the destination proxy key the Controller
// chose. kEvict: "take this VM away from me" (a site holding the VM → the site that delegated it, seed 003
// usage scenario 2); the receiver becomes the Controller, moves the VM elsewhere and answers with the
// outcome.
enum class ForcedMode { kPrepare, kEvict };

struct ForcedMigration {
  std::string vm;
  ForcedMode mode = ForcedMode::kPrepare;
  std::string peer_proxy_key;  // kPrepare: the destination proxy that will connect
  std::string reason;
};

// Initiate transfer: "pull the VM from the Source now" (Controller → Destination, along the offer chain).
struct InitiateTransfer {
  std::string vm;
  std::string offer_id;  // the id the receiving site gave the offer
  ProxyTicket source;
  ProxyTicket destination;
};

// Transfer verification: "did the transfer behind this source ticket complete?" (Controller → Source).
struct TransferVerification {
  std::string vm;
  ProxyTicket source;
};

enum class TransferState { kSucceeded, kFailed };

struct TransferResult {
  TransferState state = TransferState::kFailed;
  std::string detail;
};

// The answer to a Forced migration: a source ticket (kPrepare) or the outcome of the eviction (kEvict).
struct ForcedAnswer {
  std::optional<ProxyTicket> ticket;
  std::optional<TransferResult> outcome;
};

std::string ToString(TransferState s);

nlohmann::json ToJson(const VmDescriptor& d);
nlohmann::json ToJson(const MigrationRequest& r);
nlohmann::json ToJson(const ProxyTicket& t);
nlohmann::json ToJson(const Offer& o);
nlohmann::json ToJson(const OfferList& l);
nlohmann::json ToJson(const ForcedMigration& f);
nlohmann::json ToJson(const InitiateTransfer& i);
nlohmann::json ToJson(const TransferVerification& v);
nlohmann::json ToJson(const TransferResult& r);
nlohmann::json ToJson(const ForcedAnswer& a);

Result<VmDescriptor> VmDescriptorFromJson(const nlohmann::json& j);
Result<MigrationRequest> MigrationRequestFromJson(const nlohmann::json& j);
Result<ProxyTicket> ProxyTicketFromJson(const nlohmann::json& j);
Result<Offer> OfferFromJson(const nlohmann::json& j);
Result<OfferList> OfferListFromJson(const nlohmann::json& j);
Result<ForcedMigration> ForcedMigrationFromJson(const nlohmann::json& j);
Result<InitiateTransfer> InitiateTransferFromJson(const nlohmann::json& j);
Result<TransferVerification> TransferVerificationFromJson(const nlohmann::json& j);
Result<TransferResult> TransferResultFromJson(const nlohmann::json& j);
Result<ForcedAnswer> ForcedAnswerFromJson(const nlohmann::json& j);

// Site names: 1-63 characters [a-z0-9-], starting with a letter (they appear in key ids and paths).
Status ValidateSiteName(const std::string& name);

}  // namespace tern::site
