// Encapsulation: the authenticated (optionally encrypted) message format between tern-switch daemons, and the
// network identity (id + key) derived from the network's name and key file. See docs/vswitch.md, "Wire
// format".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tern::net {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr size_t kSealedHeaderSize = 24;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kSealOverhead = kSealedHeaderSize + kTagSize;
inline constexpr size_t kKeySize = 32;

enum class MessageType : uint8_t { kData = 1, kControl = 2, kFragment = 3 };

// Flags of a sealed message.
inline constexpr uint8_t kFlagEncrypted = 0x01;  // payload is encrypted (else only authenticated)
inline constexpr uint8_t kFlagVnetHdr = 0x02;    // data payload starts with a virtio_net_hdr (offloads)
inline constexpr uint8_t kFlagAesGcm =
    0x04;  // AES-256-GCM with a per-session subkey (else XChaCha20-Poly1305)

// The AEAD of a network's messages. AES-256-GCM (with AES-NI/PCLMUL: GMAC authenticates ~4.5 GB/s here, more
// than twice XChaCha20-Poly1305's 2 GB/s and 14x HMAC-SHA-512/256) when the CPU has it, else
// XChaCha20-Poly1305.
enum class Cipher : uint8_t { kAuto, kAes256Gcm, kXChaCha20Poly1305 };

struct SealedHeader {
  uint8_t version = kWireVersion;
  MessageType type = MessageType::kData;
  uint8_t flags = 0;
  uint32_t network_id = 0;
  uint64_t sender_id = 0;  // random per daemon start (its session)
  uint64_t sequence = 0;   // strictly increasing per sender: with sender_id, the AEAD nonce
};

enum class OpenError : uint8_t {
  kNone = 0,
  kTruncated,     // shorter than header + tag
  kBadVersion,    // unknown version or type
  kWrongNetwork,  // network id of another network
  kBadAuth,       // tag does not verify: forged, corrupted, or another key
};
std::string_view OpenErrorName(OpenError e);

// A network's identity: the 32-bit id carried in every header and the 256-bit AEAD key. Both are derived with
// BLAKE2b from the network name and the key file's secret, so two networks never share a key even when an
// operator reuses a key file.
struct NetworkKey {
  std::string name;
  uint32_t id = 0;
  std::array<uint8_t, kKeySize> key{};
  bool encrypt = false;
  bool aes = false;  // seal with AES-256-GCM (Open accepts both)

  static Result<NetworkKey> Derive(std::string_view network_name, std::span<const uint8_t> secret,
                                   bool encrypt, Cipher cipher = Cipher::kAuto);
  // The key file holds 32 raw bytes or 64 hex digits (surrounding whitespace ignored).
  static Result<NetworkKey> FromKeyFile(std::string_view network_name, const std::string& path, bool encrypt,
                                        Cipher cipher = Cipher::kAuto);
};

// Initializes libsodium once; false when it cannot.
bool InitCrypto();

// Seals in place. `buf` holds kSealedHeaderSize bytes of room, then `payload_len` payload bytes, then
// kTagSize bytes of room; writes the header and the tag (and encrypts the payload when key.encrypt). Returns
// the total message size (payload_len + kSealOverhead).
size_t Seal(const NetworkKey& key, const SealedHeader& header, uint8_t* buf, size_t payload_len);

// Verifies (and decrypts in place) a sealed message. On success fills `header` and the payload's offset and
// length within `msg`.
OpenError Open(const NetworkKey& key, std::span<uint8_t> msg, SealedHeader& header, size_t& payload_offset,
               size_t& payload_len);

// Reads only the unauthenticated header fields (for routing fragments and counters); false if too short.
bool PeekHeader(std::span<const uint8_t> msg, SealedHeader& header);

}  // namespace tern::net
