// SiteKey: a site's Ed25519 identity key, kept in a 0600 file of 32 raw bytes (the RFC 8032 seed) that is
// created on first use. Signs cross-site requests and transfer-channel handshakes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"
#include "federation/public_key.h"

namespace tern::federation {

inline constexpr size_t kSeedSize = 32;

class SiteKey {
 public:
  // Loads the key file, creating it (mode 0600; the directory must exist) when it does not exist yet.
  static Result<SiteKey> LoadOrCreate(const std::string& path);
  // Loads an existing key file. Refuses (PermissionDenied / InvalidArgument, naming the file and the cause) a
  // file that is not a regular file, is readable or writable by group or others, is owned by another user, or
  // is not exactly 32 bytes.
  static Result<SiteKey> Load(const std::string& path);
  // A key from a known seed (test vectors, tests).
  static Result<SiteKey> FromSeed(std::span<const uint8_t> seed);

  [[nodiscard]] const PublicKey& public_key() const { return public_key_; }
  [[nodiscard]] std::string PublicKeyBase64() const { return PublicKeyToBase64(public_key_); }
  [[nodiscard]] Signature Sign(std::span<const uint8_t> message) const;

 private:
  // The 64-byte libsodium secret key (seed || public key); wiped when the key is destroyed.
  struct Secret {
    std::array<uint8_t, 64> bytes{};
    ~Secret();
  };
  SiteKey() = default;
  std::unique_ptr<Secret> secret_;
  PublicKey public_key_{};
};

}  // namespace tern::federation
