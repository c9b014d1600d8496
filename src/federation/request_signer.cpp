#include "federation/request_signer.h"

#include <sodium.h>

#include "core/base64.h"
#include "federation/content_digest.h"
#include "federation/signature_base.h"
#include "federation/sodium_init.h"

namespace tern::federation {

Status RequestSigner::Sign(HttpRequest& request, int64_t now) const {
  TERN_RETURN_IF_ERROR(EnsureSodium());
  std::string nonce(16, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  return SignWithNonce(request, now, Base64Encode(nonce));
}

Status RequestSigner::SignWithNonce(HttpRequest& request, int64_t now, const std::string& nonce) const {
  request.SetHeader("Content-Digest", ContentDigest(request.body));
  sf::InnerList covered;
  for (const char* id : {"@method", "@target-uri", "content-digest"})
    covered.items.push_back({std::string(id), {}});
  covered.params = {
      {"created", int64_t{now}}, {"nonce", nonce}, {"keyid", site_}, {"alg", std::string("ed25519")}};
  std::vector<std::string> values;
  for (const sf::Item& id : covered.items) {
    auto value = ComponentValue(request, id);
    if (!value.ok()) return value.status().WithContext("sign request as '" + site_ + "'");
    values.push_back(std::move(*value));
  }
  auto base = BuildSignatureBase(covered, values);
  if (!base.ok()) return base.status().WithContext("sign request as '" + site_ + "'");
  const Signature sig = key_.Sign(std::span(reinterpret_cast<const uint8_t*>(base->data()), base->size()));
  const std::string label(kSignatureLabel);
  request.SetHeader("Signature-Input", label + "=" + sf::SerializeInnerList(covered));
  request.SetHeader(
      "Signature",
      label + "=" + sf::SerializeBareItem(sf::ByteSequence{std::string(sig.begin(), sig.end())}));
  return Status::Ok();
}

}  // namespace tern::federation
