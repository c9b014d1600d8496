// RequestVerifier: checks the signature of an incoming cross-site request (RFC 9421 style, as RequestSigner
// makes them) and says precisely why it refuses one; the reason is meant for the 401 response body.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "federation/http_request.h"
#include "federation/nonce_cache.h"
#include "federation/public_key.h"

namespace tern::federation {

enum class SignatureFailure {
  kNone = 0,
  kMissingSignature,      // no Signature-Input or Signature field
  kMalformed,             // a field cannot be parsed, or a required parameter is missing or mistyped
  kMissingComponent,      // @method, @target-uri or content-digest is not covered
  kUnsupportedAlgorithm,  // alg other than ed25519
  kUnknownKey,            // keyid is not a partner site
  kDeniedSite,            // keyid is a partner whose policy is deny
  kStale,                 // created is outside the acceptance window
  kDigestMismatch,        // the body does not match Content-Digest (or the field is unusable)
  kBadSignature,          // the signature does not verify with the partner's key
  kReplayed,              // the nonce was already used inside the window
  kReplayCacheFull,       // too many live nonces to remember another one (retry later)
};
std::string_view SignatureFailureName(SignatureFailure f);

struct SignatureCheck {
  SignatureFailure failure = SignatureFailure::kNone;
  std::string reason;  // "" when ok; otherwise one line naming what is wrong
  std::string site;    // the keyid, when it could be read

  [[nodiscard]] bool ok() const { return failure == SignatureFailure::kNone; }
  // Ok, or PermissionDenied("signature rejected: <reason>").
  [[nodiscard]] Status ToStatus() const;
};

// The key to verify a site's signatures with: NotFound for an unknown site, PermissionDenied for a denied
// one (TrustStore::AcceptedKey has this shape).
using KeyResolver = std::function<Result<PublicKey>(std::string_view site)>;

class RequestVerifier {
 public:
  RequestVerifier(KeyResolver keys, int64_t window_seconds = 300, size_t nonce_capacity = 100000)
      : keys_(std::move(keys)), window_(window_seconds), nonces_(window_seconds, nonce_capacity) {}

  // Verifies `request` at time `now` (Unix seconds). The nonce is recorded only when everything else holds,
  // so a forged request cannot burn a nonce.
  SignatureCheck Verify(const HttpRequest& request, int64_t now);

  [[nodiscard]] int64_t window_seconds() const { return window_; }

 private:
  KeyResolver keys_;
  int64_t window_;
  NonceCache nonces_;
};

}  // namespace tern::federation
