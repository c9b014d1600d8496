#include "federation/content_digest.h"

#include <sodium.h>

#include <array>

#include "core/base64.h"
#include "federation/sodium_init.h"
#include "federation/structured_fields.h"

namespace tern::federation {

namespace {

std::string Sha256(std::string_view body) {
  (void)EnsureSodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

std::string ContentDigest(std::string_view body) {
  return "sha-256=:" + Base64Encode(Sha256(body)) + ":";
}

Status CheckContentDigest(std::string_view field, std::string_view body) {
  TERN_ASSIGN_OR_RETURN(const sf::Dictionary dict, sf::ParseDictionary(field, "Content-Digest"));
  const sf::Member* m = sf::FindMember(dict, "sha-256");
  if (m == nullptr) return Status::InvalidArgument("Content-Digest has no sha-256 digest");
  const auto* item = std::get_if<sf::Item>(m);
  const auto* bytes = item == nullptr ? nullptr : std::get_if<sf::ByteSequence>(&item->value);
  if (bytes == nullptr) return Status::InvalidArgument("Content-Digest sha-256 is not a byte sequence");
  if (bytes->bytes.size() != crypto_hash_sha256_BYTES) {
    return Status::InvalidArgument("Content-Digest sha-256 is not 32 bytes");
  }
  if (bytes->bytes != Sha256(body)) {
    return Status::PermissionDenied("the body (" + std::to_string(body.size()) +
                                    " bytes) does not match its Content-Digest");
  }
  return Status::Ok();
}

}  // namespace tern::federation
