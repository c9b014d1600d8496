#include "federation/trust_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/files.h"
#include "federation/site_name.h"

namespace tern::federation {

namespace {

constexpr int kFormatVersion = 1;

Result<std::vector<Partner>> ParseStore(const std::string& text, const std::string& path,
                                        const std::string& own_site) {
  const std::string what = "trust store '" + path + "'";
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(what + " is not a JSON object");
  if (!j.contains("version") || j["version"] != kFormatVersion) {
    return Status::InvalidArgument(what + ": unsupported or missing 'version' (expected 1)");
  }
  if (!j.contains("site") || !j["site"].is_string() || j["site"].get<std::string>() != own_site) {
    return Status::InvalidArgument(what + " belongs to site '" + j.value("site", std::string("?")) +
                                   "', not to '" + own_site + "'");
  }
  if (!j.contains("partners") || !j["partners"].is_array()) {
    return Status::InvalidArgument(what + ": 'partners' must be an array");
  }
  std::vector<Partner> partners;
  for (size_t i = 0; i < j["partners"].size(); ++i) {
    const std::string entry = what + " entry " + std::to_string(i + 1);
    TERN_ASSIGN_OR_RETURN(Partner p, PartnerFromJson(j["partners"][i], entry));
    Status valid = ValidatePartner(p, own_site);
    if (!valid.ok()) return valid.WithContext(entry);
    for (const Partner& q : partners) {
      if (q.name == p.name)
        return Status::InvalidArgument(entry + ": partner '" + p.name + "' appears twice");
      if (q.public_key == p.public_key) {
        return Status::InvalidArgument(entry + ": partners '" + q.name + "' and '" + p.name +
                                       "' have the same public key");
      }
    }
    partners.push_back(std::move(p));
  }
  std::sort(partners.begin(), partners.end(),
            [](const Partner& a, const Partner& b) { return a.name < b.name; });
  return partners;
}

std::string Serialize(const std::vector<Partner>& partners, const std::string& own_site) {
  nlohmann::json list = nlohmann::json::array();
  for (const Partner& p : partners) list.push_back(PartnerToJson(p));
  return nlohmann::json{{"version", kFormatVersion}, {"site", own_site}, {"partners", list}}.dump(2) + "\n";
}

}  // namespace

Result<TrustStore> TrustStore::Open(const std::string& path, std::string own_site) {
  TERN_RETURN_IF_ERROR(ValidateSiteName(own_site, "trust store '" + path + "' own site"));
  TrustStore store(path, std::move(own_site));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return store;
    return Status::IoError("trust store '" + path + "': cannot stat: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    return Status::InvalidArgument("trust store '" + path + "' is not a regular file");
  if ((st.st_mode & 022) != 0) {
    return Status::PermissionDenied("trust store '" + path +
                                    "' is writable by group or others, who could add partners; "
                                    "chmod go-w it");
  }
  TERN_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  TERN_ASSIGN_OR_RETURN(store.partners_, ParseStore(text, path, store.own_site_));
  return store;
}

TrustStore TrustStore::InMemory(std::string own_site) {
  return TrustStore("", std::move(own_site));
}

TrustStore::TrustStore(TrustStore&& other) noexcept
    : path_(std::move(other.path_)), own_site_(std::move(other.own_site_)) {
  std::lock_guard lock(other.mu_);
  partners_ = std::move(other.partners_);
}

Status TrustStore::Commit(std::vector<Partner> partners) {
  std::sort(partners.begin(), partners.end(),
            [](const Partner& a, const Partner& b) { return a.name < b.name; });
  if (!path_.empty()) {
    Status written = WriteFileAtomic(path_, Serialize(partners, own_site_));
    if (!written.ok()) return written.WithContext("trust store");
    // Whatever the umask, the file must not become group-writable: Open would then refuse it.
    ::chmod(path_.c_str(), 0644);
  }
  partners_ = std::move(partners);
  return Status::Ok();
}

Status TrustStore::Add(const Partner& p) {
  TERN_RETURN_IF_ERROR(ValidatePartner(p, own_site_));
  std::lock_guard lock(mu_);
  for (const Partner& q : partners_) {
    if (q.name == p.name)
      return Status::AlreadyExists("partner '" + p.name + "' is already in the trust store");
    if (q.public_key == p.public_key) {
      return Status::AlreadyExists("partner '" + p.name + "': the public key is already partner '" + q.name +
                                   "''s");
    }
  }
  std::vector<Partner> next = partners_;
  next.push_back(p);
  return Commit(std::move(next));
}

Status TrustStore::Update(const Partner& p) {
  TERN_RETURN_IF_ERROR(ValidatePartner(p, own_site_));
  std::lock_guard lock(mu_);
  std::vector<Partner> next = partners_;
  bool found = false;
  for (Partner& q : next) {
    if (q.name == p.name) {
      q = p;
      found = true;
    } else if (q.public_key == p.public_key) {
      return Status::AlreadyExists("partner '" + p.name + "': the public key is already partner '" + q.name +
                                   "''s");
    }
  }
  if (!found) return Status::NotFound("partner '" + p.name + "' is not in the trust store");
  return Commit(std::move(next));
}

Status TrustStore::Remove(const std::string& name) {
  std::lock_guard lock(mu_);
  std::vector<Partner> next = partners_;
  const auto it = std::find_if(next.begin(), next.end(), [&](const Partner& p) { return p.name == name; });
  if (it == next.end()) return Status::NotFound("partner '" + name + "' is not in the trust store");
  next.erase(it);
  return Commit(std::move(next));
}

std::optional<Partner> TrustStore::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (const Partner& p : partners_) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

std::vector<Partner> TrustStore::List() const {
  std::lock_guard lock(mu_);
  return partners_;
}

Result<PublicKey> TrustStore::AcceptedKey(std::string_view site) const {
  const auto p = Find(site);
  if (!p) return Status::NotFound("no partner site named '" + std::string(site) + "' in the trust store");
  if (p->policy == PartnerPolicy::kDeny) {
    return Status::PermissionDenied("partner site '" + std::string(site) + "' is denied by policy");
  }
  return p->public_key;
}

}  // namespace tern::federation
