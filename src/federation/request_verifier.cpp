#include "federation/request_verifier.h"

#include <algorithm>

#include "federation/content_digest.h"
#include "federation/signature_base.h"
#include "federation/structured_fields.h"

namespace tern::federation {

std::string_view SignatureFailureName(SignatureFailure f) {
  switch (f) {
    case SignatureFailure::kNone:
      return "ok";
    case SignatureFailure::kMissingSignature:
      return "missing-signature";
    case SignatureFailure::kMalformed:
      return "malformed-signature";
    case SignatureFailure::kMissingComponent:
      return "missing-component";
    case SignatureFailure::kUnsupportedAlgorithm:
      return "unsupported-algorithm";
    case SignatureFailure::kUnknownKey:
      return "unknown-key";
    case SignatureFailure::kDeniedSite:
      return "denied-site";
    case SignatureFailure::kStale:
      return "stale";
    case SignatureFailure::kDigestMismatch:
      return "digest-mismatch";
    case SignatureFailure::kBadSignature:
      return "bad-signature";
    case SignatureFailure::kReplayed:
      return "replayed";
    case SignatureFailure::kReplayCacheFull:
      return "replay-cache-full";
  }
  return "unknown";
}

Status SignatureCheck::ToStatus() const {
  if (ok()) return Status::Ok();
  return Status::PermissionDenied("signature rejected: " + reason);
}

namespace {

SignatureCheck Fail(SignatureFailure f, std::string reason, std::string site = "") {
  return SignatureCheck{f, std::move(reason), std::move(site)};
}

}  // namespace

SignatureCheck RequestVerifier::Verify(const HttpRequest& request, int64_t now) {
  const auto input_field = request.Header("Signature-Input");
  const auto sig_field = request.Header("Signature");
  if (!input_field || !sig_field) {
    return Fail(
        SignatureFailure::kMissingSignature,
        std::string("the request has no ") + (!input_field ? "Signature-Input" : "Signature") + " field");
  }
  auto inputs = sf::ParseDictionary(*input_field, "Signature-Input");
  if (!inputs.ok()) return Fail(SignatureFailure::kMalformed, inputs.status().message());
  auto sigs = sf::ParseDictionary(*sig_field, "Signature");
  if (!sigs.ok()) return Fail(SignatureFailure::kMalformed, sigs.status().message());
  if (inputs->empty()) return Fail(SignatureFailure::kMalformed, "Signature-Input is empty");

  // The first signature is the one checked; tern's signer always adds exactly one.
  const std::string& label = inputs->front().first;
  const auto* covered = std::get_if<sf::InnerList>(&inputs->front().second);
  if (covered == nullptr) {
    return Fail(SignatureFailure::kMalformed, "Signature-Input '" + label + "' is not an inner list");
  }
  const sf::Member* sig_member = sf::FindMember(*sigs, label);
  const auto* sig_item = sig_member == nullptr ? nullptr : std::get_if<sf::Item>(sig_member);
  const auto* sig_bytes = sig_item == nullptr ? nullptr : std::get_if<sf::ByteSequence>(&sig_item->value);
  if (sig_bytes == nullptr) {
    return Fail(SignatureFailure::kMalformed, "Signature has no byte sequence for label '" + label + "'");
  }

  // Parameters.
  const auto* keyid = sf::FindParam(covered->params, "keyid");
  const auto* keyid_text = keyid == nullptr ? nullptr : std::get_if<std::string>(keyid);
  if (keyid_text == nullptr)
    return Fail(SignatureFailure::kMalformed, "signature parameter keyid is missing");
  const std::string site = *keyid_text;
  const auto* created = sf::FindParam(covered->params, "created");
  const auto* created_value = created == nullptr ? nullptr : std::get_if<int64_t>(created);
  if (created_value == nullptr) {
    return Fail(SignatureFailure::kMalformed, "signature parameter created is missing or not an integer",
                site);
  }
  const auto* nonce = sf::FindParam(covered->params, "nonce");
  const auto* nonce_text = nonce == nullptr ? nullptr : std::get_if<std::string>(nonce);
  if (nonce_text == nullptr || nonce_text->empty()) {
    return Fail(SignatureFailure::kMalformed, "signature parameter nonce is missing", site);
  }
  if (const auto* alg = sf::FindParam(covered->params, "alg"); alg != nullptr) {
    const auto* alg_text = std::get_if<std::string>(alg);
    if (alg_text == nullptr || *alg_text != "ed25519") {
      return Fail(
          SignatureFailure::kUnsupportedAlgorithm,
          "signature algorithm " + sf::SerializeBareItem(*alg) + " is not supported (only \"ed25519\")",
          site);
    }
  }

  // Covered components.
  for (const char* required : {"@method", "@target-uri", "content-digest"}) {
    const bool present = std::any_of(covered->items.begin(), covered->items.end(), [&](const sf::Item& i) {
      const auto* s = std::get_if<std::string>(&i.value);
      return s != nullptr && *s == required && i.params.empty();
    });
    if (!present) {
      return Fail(SignatureFailure::kMissingComponent,
                  std::string("the signature does not cover \"") + required + "\"", site);
    }
  }

  // Key.
  auto key = keys_(site);
  if (!key.ok()) {
    const bool denied = key.status().code() == StatusCode::kPermissionDenied;
    return Fail(denied ? SignatureFailure::kDeniedSite : SignatureFailure::kUnknownKey,
                denied ? key.status().message() : "unknown key id '" + site + "': " + key.status().message(),
                site);
  }

  // Time window.
  const int64_t age = now - *created_value;
  if (age > window_ || age < -window_) {
    return Fail(SignatureFailure::kStale,
                "created " + std::to_string(*created_value) + " is " + std::to_string(age < 0 ? -age : age) +
                    " s in the " + (age < 0 ? "future" : "past") + "; the window is " +
                    std::to_string(window_) + " s",
                site);
  }

  // Body.
  const auto digest = request.Header("Content-Digest");
  if (!digest) {
    return Fail(SignatureFailure::kMissingComponent, "content-digest is covered but the field is absent",
                site);
  }
  if (Status s = CheckContentDigest(*digest, request.body); !s.ok()) {
    return Fail(SignatureFailure::kDigestMismatch, s.message(), site);
  }

  // Signature.
  std::vector<std::string> values;
  for (const sf::Item& id : covered->items) {
    auto v = ComponentValue(request, id);
    if (!v.ok()) return Fail(SignatureFailure::kMalformed, v.status().message(), site);
    values.push_back(std::move(*v));
  }
  auto base = BuildSignatureBase(*covered, values);
  if (!base.ok()) return Fail(SignatureFailure::kMalformed, base.status().message(), site);
  const auto* sig = reinterpret_cast<const uint8_t*>(sig_bytes->bytes.data());
  if (sig_bytes->bytes.size() != kSignatureSize ||
      !VerifySignature(*key, std::span(reinterpret_cast<const uint8_t*>(base->data()), base->size()),
                       std::span(sig, sig_bytes->bytes.size()))) {
    return Fail(SignatureFailure::kBadSignature,
                "the signature does not verify with the public key of site '" + site + "'", site);
  }

  // Replay.
  switch (nonces_.Insert(site, *nonce_text, *created_value, now)) {
    case NonceCache::Outcome::kFresh:
      break;
    case NonceCache::Outcome::kReplayed:
      return Fail(SignatureFailure::kReplayed,
                  "nonce \"" + *nonce_text + "\" of site '" + site + "' was already used (replayed request)",
                  site);
    case NonceCache::Outcome::kFull:
      return Fail(SignatureFailure::kReplayCacheFull,
                  "too many recent requests to remember another nonce; retry later", site);
  }
  return SignatureCheck{SignatureFailure::kNone, "", site};
}

}  // namespace tern::federation
