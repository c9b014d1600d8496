// RequestSigner: signs a cross-site request as this site (RFC 9421 style): adds Content-Digest (RFC 9530,
// sha-256), Signature-Input and Signature covering @method, @target-uri and content-digest with the
// parameters created, nonce, keyid (= site name) and alg="ed25519". See docs/protocol.md, "Signed requests".
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "federation/http_request.h"
#include "federation/site_key.h"

namespace tern::federation {

inline constexpr std::string_view kSignatureLabel = "tern";

class RequestSigner {
 public:
  // `key` must outlive the signer.
  RequestSigner(const SiteKey& key, std::string site) : key_(key), site_(std::move(site)) {}

  // Signs `request` as created at `now` (Unix seconds) with a fresh 128-bit random nonce; replaces any
  // earlier Content-Digest and signature headers.
  Status Sign(HttpRequest& request, int64_t now) const;
  // The same with a given nonce (tests and test vectors).
  Status SignWithNonce(HttpRequest& request, int64_t now, const std::string& nonce) const;

  [[nodiscard]] const std::string& site() const { return site_; }

 private:
  const SiteKey& key_;
  std::string site_;
};

}  // namespace tern::federation
