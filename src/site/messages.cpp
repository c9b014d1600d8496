#include "site/messages.h"

#include <set>

namespace tern::site {

using nlohmann::json;

namespace {

// Reads one JSON object strictly: required and optional fields of the expected type, and no unknown keys, so
// a misspelt field in a peer's request is an error rather than silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string object) : j_(j), object_(std::move(object)) {
    if (!j_.is_object()) status_ = Status::InvalidArgument(object_ + ": expected a JSON object");
  }

  template <typename T>
  ObjectReader& Required(const char* field, T& out) {
    return Read(field, out, /*required=*/true);
  }
  template <typename T>
  ObjectReader& Optional(const char* field, T& out) {
    return Read(field, out, /*required=*/false);
  }
  // Any object or array field, decoded by the caller.
  ObjectReader& RequiredJson(const char* field, json& out) {
    if (!status_.ok()) return *this;
    seen_.insert(field);
    auto it = j_.find(field);
    if (it == j_.end()) {
      status_ = Status::InvalidArgument(object_ + "." + field + ": missing");
    } else {
      out = *it;
    }
    return *this;
  }

  Status Done() {
    if (!status_.ok()) return status_;
    for (const auto& [key, value] : j_.items()) {
      (void)value;
      if (seen_.count(key) == 0) return Status::InvalidArgument(object_ + ": unknown field '" + key + "'");
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  ObjectReader& Read(const char* field, T& out, bool required) {
    if (!status_.ok()) return *this;
    seen_.insert(field);
    auto it = j_.find(field);
    if (it == j_.end()) {
      if (required) status_ = Status::InvalidArgument(object_ + "." + field + ": missing");
      return *this;
    }
    const bool type_ok = [&] {
      if constexpr (std::is_same_v<T, bool>) return it->is_boolean();
      if constexpr (std::is_same_v<T, std::string>) return it->is_string();
      if constexpr (std::is_same_v<T, double>) return it->is_number();
      if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) return it->is_number_unsigned();
      if constexpr (std::is_integral_v<T>) return it->is_number_integer();
      if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!it->is_array()) return false;
        for (const auto& e : *it)
          if (!e.is_string()) return false;
        return true;
      }
      return false;
    }();
    if (!type_ok) {
      status_ = Status::InvalidArgument(object_ + "." + field + ": wrong type (" + it->type_name() + ")");
      return *this;
    }
    out = it->get<T>();
    return *this;
  }

  const json& j_;
  std::string object_;
  Status status_;
  std::set<std::string> seen_;
};

Status NonEmpty(const std::string& value, const std::string& what) {
  if (value.empty()) return Status::InvalidArgument(what + ": must not be empty");
  return Status::Ok();
}

}  // namespace

std::string ToString(TransferState s) {
  return s == TransferState::kSucceeded ? "succeeded" : "failed";
}

Status ValidateSiteName(const std::string& name) {
  if (name.empty() || name.size() > 63)
    return Status::InvalidArgument("site name '" + name + "': 1-63 characters");
  if (name[0] < 'a' || name[0] > 'z')
    return Status::InvalidArgument("site name '" + name + "': must start with a lowercase letter");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return Status::InvalidArgument("site name '" + name + "': only a-z, 0-9 and '-' are allowed");
  }
  return Status::Ok();
}

json ToJson(const VmDescriptor& d) {
  return {{"memory_mib", d.memory_mib}, {"vcpus", d.vcpus}, {"disk_bytes", d.disk_bytes}, {"live", d.live}};
}

Result<VmDescriptor> VmDescriptorFromJson(const json& j) {
  VmDescriptor d;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "descriptor")
                           .Required("memory_mib", d.memory_mib)
                           .Required("vcpus", d.vcpus)
                           .Required("disk_bytes", d.disk_bytes)
                           .Required("live", d.live)
                           .Done());
  if (d.memory_mib <= 0) return Status::InvalidArgument("descriptor.memory_mib: must be positive");
  if (d.vcpus <= 0) return Status::InvalidArgument("descriptor.vcpus: must be positive");
  return d;
}

json ToJson(const MigrationRequest& r) {
  json j = {{"vm", r.vm}, {"descriptor", ToJson(r.descriptor)}, {"path", r.path}, {"hops_left", r.hops_left}};
  if (!r.want_site.empty()) j["want_site"] = r.want_site;
  return j;
}

Result<MigrationRequest> MigrationRequestFromJson(const json& j) {
  MigrationRequest r;
  json descriptor;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "migration request")
                           .Required("vm", r.vm)
                           .RequiredJson("descriptor", descriptor)
                           .Optional("want_site", r.want_site)
                           .Required("path", r.path)
                           .Required("hops_left", r.hops_left)
                           .Done());
  TERN_RETURN_IF_ERROR(NonEmpty(r.vm, "migration request.vm"));
  TERN_ASSIGN_OR_RETURN(r.descriptor, VmDescriptorFromJson(descriptor));
  if (r.hops_left < 0 || r.hops_left > 8)
    return Status::InvalidArgument("migration request.hops_left: " + std::to_string(r.hops_left) +
                                   " is outside 0..8");
  if (r.path.empty()) return Status::InvalidArgument("migration request.path: must name at least the sender");
  for (const auto& s : r.path) TERN_RETURN_IF_ERROR(ValidateSiteName(s));
  if (!r.want_site.empty()) TERN_RETURN_IF_ERROR(ValidateSiteName(r.want_site));
  return r;
}

json ToJson(const ProxyTicket& t) {
  return {{"proxy_uri", t.proxy_uri}, {"proxy_key", t.proxy_key}, {"token", t.token}};
}

Result<ProxyTicket> ProxyTicketFromJson(const json& j) {
  ProxyTicket t;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "ticket")
                           .Required("proxy_uri", t.proxy_uri)
                           .Required("proxy_key", t.proxy_key)
                           .Required("token", t.token)
                           .Done());
  TERN_RETURN_IF_ERROR(NonEmpty(t.proxy_uri, "ticket.proxy_uri"));
  TERN_RETURN_IF_ERROR(NonEmpty(t.proxy_key, "ticket.proxy_key"));
  TERN_RETURN_IF_ERROR(NonEmpty(t.token, "ticket.token"));
  return t;
}

json ToJson(const Offer& o) {
  return {{"offer_id", o.offer_id},
          {"destination", ToJson(o.destination)},
          {"predicted_seconds", o.predicted_seconds},
          {"preference", o.preference},
          {"site_label", o.site_label}};
}

Result<Offer> OfferFromJson(const json& j) {
  Offer o;
  json destination;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "offer")
                           .Required("offer_id", o.offer_id)
                           .RequiredJson("destination", destination)
                           .Required("predicted_seconds", o.predicted_seconds)
                           .Required("preference", o.preference)
                           .Required("site_label", o.site_label)
                           .Done());
  TERN_RETURN_IF_ERROR(NonEmpty(o.offer_id, "offer.offer_id"));
  TERN_ASSIGN_OR_RETURN(o.destination, ProxyTicketFromJson(destination));
  if (!(o.predicted_seconds >= 0)) return Status::InvalidArgument("offer.predicted_seconds: must be >= 0");
  return o;
}

json ToJson(const OfferList& l) {
  json offers = json::array();
  for (const auto& o : l.offers) offers.push_back(ToJson(o));
  return {{"offers", offers}};
}

Result<OfferList> OfferListFromJson(const json& j) {
  OfferList l;
  json offers;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "offer list").RequiredJson("offers", offers).Done());
  if (!offers.is_array()) return Status::InvalidArgument("offer list.offers: expected an array");
  for (const auto& o : offers) {
    TERN_ASSIGN_OR_RETURN(auto offer, OfferFromJson(o));
    l.offers.push_back(std::move(offer));
  }
  return l;
}

json ToJson(const ForcedMigration& f) {
  return {{"vm", f.vm},
          {"mode", f.mode == ForcedMode::kPrepare ? "prepare" : "evict"},
          {"peer_proxy_key", f.peer_proxy_key},
          {"reason", f.reason}};
}

Result<ForcedMigration> ForcedMigrationFromJson(const json& j) {
  ForcedMigration f;
  std::string mode;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "forced migration")
                           .Required("vm", f.vm)
                           .Required("mode", mode)
                           .Required("peer_proxy_key", f.peer_proxy_key)
                           .Required("reason", f.reason)
                           .Done());
  TERN_RETURN_IF_ERROR(NonEmpty(f.vm, "forced migration.vm"));
  if (mode == "prepare") {
    f.mode = ForcedMode::kPrepare;
    TERN_RETURN_IF_ERROR(NonEmpty(f.peer_proxy_key, "forced migration.peer_proxy_key"));
  } else if (mode == "evict") {
    f.mode = ForcedMode::kEvict;
  } else {
    return Status::InvalidArgument("forced migration.mode: '" + mode + "' is not prepare|evict");
  }
  return f;
}

json ToJson(const ForcedAnswer& a) {
  json j = json::object();
  if (a.ticket) j["ticket"] = ToJson(*a.ticket);
  if (a.outcome) j["outcome"] = ToJson(*a.outcome);
  return j;
}

Result<ForcedAnswer> ForcedAnswerFromJson(const json& j) {
  ForcedAnswer a;
  if (!j.is_object()) return Status::InvalidArgument("forced migration answer: expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key == "ticket") {
      TERN_ASSIGN_OR_RETURN(a.ticket, ProxyTicketFromJson(value));
    } else if (key == "outcome") {
      TERN_ASSIGN_OR_RETURN(a.outcome, TransferResultFromJson(value));
    } else {
      return Status::InvalidArgument("forced migration answer: unknown field '" + key + "'");
    }
  }
  if (a.ticket.has_value() == a.outcome.has_value())
    return Status::InvalidArgument("forced migration answer: exactly one of ticket and outcome is expected");
  return a;
}

json ToJson(const InitiateTransfer& i) {
  return {{"vm", i.vm},
          {"offer_id", i.offer_id},
          {"source", ToJson(i.source)},
          {"destination", ToJson(i.destination)}};
}

Result<InitiateTransfer> InitiateTransferFromJson(const json& j) {
  InitiateTransfer i;
  json source, destination;
  TERN_RETURN_IF_ERROR(ObjectReader(j, "initiate transfer")
                           .Required("vm", i.vm)
                           .Required("offer_id", i.offer_id)
                           .RequiredJson("source", source)
                           .RequiredJson("destination", destination)
                           .Done());
  TERN_RETURN_IF_ERROR(NonEmpty(i.vm, "initiate transfer.vm"));
  TERN_RETURN_IF_ERROR(NonEmpty(i.offer_id, "initiate transfer.offer_id"));
  TERN_ASSIGN_OR_RETURN(i.source, ProxyTicketFromJson(source));
  TERN_ASSIGN_OR_RETURN(i.destination, ProxyTicketFromJson(destination));
  return i;
}

json ToJson(const TransferVerification& v) {
  return {{"vm", v.vm}, {"source", ToJson(v.source)}};
}

Result<TransferVerification> TransferVerificationFromJson(const json& j) {
  TransferVerification v;
  json source;
  TERN_RETURN_IF_ERROR(
      ObjectReader(j, "transfer verification").Required("vm", v.vm).RequiredJson("source", source).Done());
  TERN_RETURN_IF_ERROR(NonEmpty(v.vm, "transfer verification.vm"));
  TERN_ASSIGN_OR_RETURN(v.source, ProxyTicketFromJson(source));
  return v;
}

json ToJson(const TransferResult& r) {
  return {{"state", ToString(r.state)}, {"detail", r.detail}};
}

Result<TransferResult> TransferResultFromJson(const json& j) {
  TransferResult r;
  std::string state;
  TERN_RETURN_IF_ERROR(
      ObjectReader(j, "transfer result").Required("state", state).Required("detail", r.detail).Done());
  if (state == "succeeded") {
    r.state = TransferState::kSucceeded;
  } else if (state == "failed") {
    r.state = TransferState::kFailed;
  } else {
    return Status::InvalidArgument("transfer result.state: '" + state + "' is not succeeded|failed");
  }
  return r;
}

}  // namespace tern::site
