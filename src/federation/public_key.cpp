#include "federation/public_key.h"

#include <sodium.h>

#include "core/base64.h"
#include "federation/sodium_init.h"

namespace tern::federation {

std::string PublicKeyToBase64(const PublicKey& key) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

Result<PublicKey> ParsePublicKey(std::string_view base64, const std::string& what) {
  auto raw = Base64Decode(base64, what);
  if (!raw.ok()) return raw.status();
  if (raw->size() != kPublicKeySize) {
    return Status::InvalidArgument(what + ": an Ed25519 public key is 32 bytes, this base64 decodes to " +
                                   std::to_string(raw->size()));
  }
  PublicKey key;
  std::copy(raw->begin(), raw->end(), key.begin());
  return key;
}

bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message,
                     std::span<const uint8_t> signature) {
  if (!EnsureSodium().ok() || signature.size() != kSignatureSize) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

}  // namespace tern::federation
