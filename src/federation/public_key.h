// PublicKey: a site's Ed25519 public key, printed and configured as base64 (RFC 4648, 44 characters).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tern::federation {

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;

using PublicKey = std::array<uint8_t, kPublicKeySize>;
using Signature = std::array<uint8_t, kSignatureSize>;

std::string PublicKeyToBase64(const PublicKey& key);
// InvalidArgument naming `what` when the text is not base64 of exactly 32 bytes.
Result<PublicKey> ParsePublicKey(std::string_view base64, const std::string& what);

// True when `signature` is a valid Ed25519 signature of `message` by `key`.
bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message,
                     std::span<const uint8_t> signature);

}  // namespace tern::federation
