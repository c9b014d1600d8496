// TrustStore: the partner sites a site trusts (name, URL, public key, policy), persisted as a JSON file that
// is replaced atomically on every change. Thread-safe: request verification reads it while operators edit it.
//
// Why a JSON file rather than SQLite: the store is tiny (one entry per partner), changes rarely and only
// through one writer (ternd), and operators review, back up and provision it like an authorized_keys file;
// an atomic rename gives the all-or-nothing update SQLite would, with nothing to migrate.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "federation/partner.h"

namespace tern::federation {

class TrustStore {
 public:
  // Opens the store of site `own_site` at `path` (an absent file is an empty store, created on the first
  // change). Refuses a file that group or others may write (anyone who can edit it can impersonate a
  // partner), a file written for another site, and any invalid entry, naming the file and the entry.
  static Result<TrustStore> Open(const std::string& path, std::string own_site);
  // A store that is never written to disk (tests, tools).
  static TrustStore InMemory(std::string own_site);

  TrustStore(TrustStore&& other) noexcept;
  TrustStore& operator=(TrustStore&&) = delete;

  // Validates and adds `p`; AlreadyExists when the name or the public key is already in the store. Nothing
  // changes (in memory or on disk) when it fails.
  Status Add(const Partner& p);
  // Replaces the entry of the same name (NotFound when there is none).
  Status Update(const Partner& p);
  Status Remove(const std::string& name);
  [[nodiscard]] std::optional<Partner> Find(std::string_view name) const;
  // Sorted by name.
  [[nodiscard]] std::vector<Partner> List() const;
  // The key to verify `site`'s signatures with: NotFound for an unknown site, PermissionDenied for a partner
  // whose policy is deny.
  [[nodiscard]] Result<PublicKey> AcceptedKey(std::string_view site) const;

  [[nodiscard]] const std::string& own_site() const { return own_site_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  TrustStore(std::string path, std::string own_site)
      : path_(std::move(path)), own_site_(std::move(own_site)) {}
  // Writes `partners` to disk (when file-backed) before they become the store's content.
  Status Commit(std::vector<Partner> partners);

  std::string path_;  // empty: in memory only
  std::string own_site_;
  mutable std::mutex mu_;
  std::vector<Partner> partners_;  // sorted by name
};

}  // namespace tern::federation
