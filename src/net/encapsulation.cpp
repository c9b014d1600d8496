#include "net/encapsulation.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "core/files.h"
#include "net/byte_io.h"

namespace tern::net {
namespace {

void MakeNonce(const SealedHeader& h, uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES]) {
  static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
  StoreBe64(nonce, h.sender_id);
  StoreBe64(nonce + 8, h.sequence);
  StoreBe32(nonce + 16, h.network_id);
  nonce[20] = h.version;
  nonce[21] = static_cast<uint8_t>(h.type);
  nonce[22] = h.flags;
  nonce[23] = 0;
}

void WriteHeader(const SealedHeader& h, uint8_t* p) {
  p[0] = h.version;
  p[1] = static_cast<uint8_t>(h.type);
  p[2] = h.flags;
  p[3] = 0;
  StoreBe32(p + 4, h.network_id);
  StoreBe64(p + 8, h.sender_id);
  StoreBe64(p + 16, h.sequence);
}

// AES-GCM has a 96-bit nonce: each session (sender id) seals with its own subkey, BLAKE2b(network key, sender
// id), and the nonce is the session's sequence number, so no (key, nonce) pair ever repeats. Expanded keys
// are cached per thread (a daemon talks to few sessions; the most recent one is checked first).
struct AesSession {
  alignas(16) crypto_aead_aes256gcm_state state;
  uint64_t key_tag = 0;
  uint64_t sender_id = 0;
  bool used = false;
};

const crypto_aead_aes256gcm_state& AesState(const NetworkKey& key, uint64_t sender_id) {
  constexpr size_t kSlots = 64;
  thread_local std::vector<AesSession> cache(kSlots);
  thread_local size_t last = 0;
  thread_local size_t next = 0;
  uint64_t key_tag = 0;
  std::memcpy(&key_tag, key.key.data(), sizeof key_tag);
  if (cache[last].used && cache[last].sender_id == sender_id && cache[last].key_tag == key_tag) {
    return cache[last].state;
  }
  for (size_t i = 0; i < kSlots; ++i) {
    if (cache[i].used && cache[i].sender_id == sender_id && cache[i].key_tag == key_tag) {
      last = i;
      return cache[i].state;
    }
  }
  AesSession& slot = cache[next];
  last = next;
  next = (next + 1) % kSlots;
  uint8_t id[8];
  StoreBe64(id, sender_id);
  uint8_t sub[crypto_aead_aes256gcm_KEYBYTES];
  crypto_generichash(sub, sizeof sub, id, sizeof id, key.key.data(), key.key.size());
  crypto_aead_aes256gcm_beforenm(&slot.state, sub);
  sodium_memzero(sub, sizeof sub);
  slot.key_tag = key_tag;
  slot.sender_id = sender_id;
  slot.used = true;
  return slot.state;
}

void MakeAesNonce(const SealedHeader& h, uint8_t nonce[crypto_aead_aes256gcm_NPUBBYTES]) {
  static_assert(crypto_aead_aes256gcm_NPUBBYTES == 12);
  StoreBe64(nonce, h.sequence);
  StoreBe32(nonce + 8, h.network_id);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view OpenErrorName(OpenError e) {
  switch (e) {
    case OpenError::kNone:
      return "ok";
    case OpenError::kTruncated:
      return "truncated";
    case OpenError::kBadVersion:
      return "bad version or type";
    case OpenError::kWrongNetwork:
      return "wrong network";
    case OpenError::kBadAuth:
      return "authentication failed";
  }
  return "unknown";
}

bool InitCrypto() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Result<NetworkKey> NetworkKey::Derive(std::string_view network_name, std::span<const uint8_t> secret,
                                      bool encrypt, Cipher cipher) {
  if (!InitCrypto())
    return Status::Internal("network '" + std::string(network_name) + "': libsodium init failed");
  if (network_name.empty() || network_name.size() > 64) {
    return Status::InvalidArgument("network name '" + std::string(network_name) +
                                   "': must be 1..64 characters");
  }
  if (secret.size() < 16) {
    return Status::InvalidArgument("network '" + std::string(network_name) +
                                   "': key must be at least 16 bytes");
  }
  NetworkKey k;
  k.name = std::string(network_name);
  k.encrypt = encrypt;
  const bool aes_ok = crypto_aead_aes256gcm_is_available() != 0;
  if (cipher == Cipher::kAes256Gcm && !aes_ok) {
    return Status::FailedPrecondition("network '" + k.name +
                                      "': AES-256-GCM needs AES-NI and PCLMUL on this CPU");
  }
  k.aes = cipher == Cipher::kAes256Gcm || (cipher == Cipher::kAuto && aes_ok);
  const std::string label = "tern-switch/v1/key/" + k.name;
  crypto_generichash(k.key.data(), k.key.size(), reinterpret_cast<const uint8_t*>(label.data()), label.size(),
                     secret.data(), secret.size());
  // The id only demultiplexes and rejects other networks' traffic cheaply; the key is what isolates.
  const std::string id_label = "tern-switch/v1/id/" + k.name;
  uint8_t id[8];
  crypto_generichash(id, sizeof id, reinterpret_cast<const uint8_t*>(id_label.data()), id_label.size(),
                     nullptr, 0);
  k.id = LoadBe32(id);
  return k;
}

Result<NetworkKey> NetworkKey::FromKeyFile(std::string_view network_name, const std::string& path,
                                           bool encrypt, Cipher cipher) {
  auto content = ReadFile(path);
  if (!content.ok())
    return content.status().WithContext("network '" + std::string(network_name) + "' key file");
  std::string text = *content;
  std::vector<uint8_t> secret;
  const auto b = text.find_first_not_of(" \t\r\n");
  const auto e = text.find_last_not_of(" \t\r\n");
  const std::string trimmed = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  bool hex = trimmed.size() == 64;
  for (char c : trimmed) hex = hex && HexValue(c) >= 0;
  if (hex) {
    for (size_t i = 0; i < 64; i += 2) {
      secret.push_back(static_cast<uint8_t>(HexValue(trimmed[i]) * 16 + HexValue(trimmed[i + 1])));
    }
  } else if (text.size() == 32) {
    secret.assign(text.begin(), text.end());
  } else {
    return Status::InvalidArgument("network '" + std::string(network_name) + "': key file '" + path +
                                   "' must hold 32 raw bytes or 64 hex digits (found " +
                                   std::to_string(text.size()) + " bytes)");
  }
  auto key = Derive(network_name, secret, encrypt, cipher);
  sodium_memzero(secret.data(), secret.size());
  return key;
}

size_t Seal(const NetworkKey& key, const SealedHeader& header, uint8_t* buf, size_t payload_len) {
  SealedHeader h = header;
  h.version = kWireVersion;
  if (key.encrypt) {
    h.flags |= kFlagEncrypted;
  } else {
    h.flags &= static_cast<uint8_t>(~kFlagEncrypted);
  }
  if (key.aes) {
    h.flags |= kFlagAesGcm;
  } else {
    h.flags &= static_cast<uint8_t>(~kFlagAesGcm);
  }
  WriteHeader(h, buf);
  if (key.aes) {
    uint8_t nonce[crypto_aead_aes256gcm_NPUBBYTES];
    MakeAesNonce(h, nonce);
    const auto& st = AesState(key, h.sender_id);
    uint8_t* payload = buf + kSealedHeaderSize;
    uint8_t* tag = payload + payload_len;
    uint8_t empty = 0;
    if (key.encrypt) {
      crypto_aead_aes256gcm_encrypt_detached_afternm(payload, tag, nullptr, payload, payload_len, buf,
                                                     kSealedHeaderSize, nullptr, nonce, &st);
    } else {
      crypto_aead_aes256gcm_encrypt_detached_afternm(&empty, tag, nullptr, &empty, 0, buf,
                                                     kSealedHeaderSize + payload_len, nullptr, nonce, &st);
    }
    return payload_len + kSealOverhead;
  }
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  MakeNonce(h, nonce);
  uint8_t* payload = buf + kSealedHeaderSize;
  uint8_t* tag = payload + payload_len;
  if (key.encrypt) {
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(payload, tag, nullptr, payload, payload_len, buf,
                                                        kSealedHeaderSize, nullptr, nonce, key.key.data());
  } else {
    // Authentication only: the whole message is associated data, the (empty) plaintext costs nothing.
    uint8_t empty = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(&empty, tag, nullptr, &empty, 0, buf,
                                                        kSealedHeaderSize + payload_len, nullptr, nonce,
                                                        key.key.data());
  }
  return payload_len + kSealOverhead;
}

bool PeekHeader(std::span<const uint8_t> msg, SealedHeader& header) {
  if (msg.size() < kSealedHeaderSize) return false;
  header.version = msg[0];
  header.type = static_cast<MessageType>(msg[1]);
  header.flags = msg[2];
  header.network_id = LoadBe32(&msg[4]);
  header.sender_id = LoadBe64(&msg[8]);
  header.sequence = LoadBe64(&msg[16]);
  return true;
}

OpenError Open(const NetworkKey& key, std::span<uint8_t> msg, SealedHeader& header, size_t& payload_offset,
               size_t& payload_len) {
  if (msg.size() < kSealOverhead) return OpenError::kTruncated;
  PeekHeader(msg, header);
  if (header.version != kWireVersion || msg[3] != 0 ||
      (header.type != MessageType::kData && header.type != MessageType::kControl)) {
    return OpenError::kBadVersion;
  }
  if (header.network_id != key.id) return OpenError::kWrongNetwork;
  const bool encrypted = (header.flags & kFlagEncrypted) != 0;
  if (encrypted != key.encrypt) return OpenError::kBadAuth;
  payload_offset = kSealedHeaderSize;
  payload_len = msg.size() - kSealOverhead;
  uint8_t* payload = msg.data() + kSealedHeaderSize;
  const uint8_t* tag = payload + payload_len;
  int rc = 0;
  if ((header.flags & kFlagAesGcm) != 0) {
    if (crypto_aead_aes256gcm_is_available() == 0) return OpenError::kBadAuth;
    uint8_t nonce[crypto_aead_aes256gcm_NPUBBYTES];
    MakeAesNonce(header, nonce);
    const auto& st = AesState(key, header.sender_id);
    uint8_t empty = 0;
    if (encrypted) {
      rc = crypto_aead_aes256gcm_decrypt_detached_afternm(payload, nullptr, payload, payload_len, tag,
                                                          msg.data(), kSealedHeaderSize, nonce, &st);
    } else {
      rc = crypto_aead_aes256gcm_decrypt_detached_afternm(&empty, nullptr, &empty, 0, tag, msg.data(),
                                                          kSealedHeaderSize + payload_len, nonce, &st);
    }
    return rc == 0 ? OpenError::kNone : OpenError::kBadAuth;
  }
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  MakeNonce(header, nonce);
  if (encrypted) {
    rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
        payload, nullptr, payload, payload_len, tag, msg.data(), kSealedHeaderSize, nonce, key.key.data());
  } else {
    uint8_t empty = 0;
    rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
        &empty, nullptr, &empty, 0, tag, msg.data(), kSealedHeaderSize + payload_len, nonce, key.key.data());
  }
  return rc == 0 ? OpenError::kNone : OpenError::kBadAuth;
}

}  // namespace tern::net
