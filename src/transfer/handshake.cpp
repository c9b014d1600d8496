#include "transfer/handshake.h"

#include <sodium.h>

#include <optional>
#include <stdexcept>

#include "federation/site_name.h"
#include "federation/sodium_init.h"
#include "transfer/wire.h"

namespace tern::transfer {

namespace {

constexpr std::string_view kServerLabel{"tern-transfer/1 server\0", 23};
constexpr std::string_view kClientLabel{"tern-transfer/1 client\0", 23};
constexpr std::string_view kHandshakeKeysLabel = "tern-transfer/1 handshake keys";
constexpr std::string_view kTrafficKeysLabel = "tern-transfer/1 traffic keys";
constexpr size_t kAeadOverhead = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr uint8_t kVerdictAccepted = 0;
constexpr uint8_t kVerdictRefused = 1;

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void HashLengthPrefixed(crypto_generichash_state& st, std::span<const uint8_t> part) {
  uint8_t len[4];
  net::StoreBe32(len, static_cast<uint32_t>(part.size()));
  crypto_generichash_update(&st, len, sizeof len);
  crypto_generichash_update(&st, part.data(), part.size());
}

// BLAKE2b-512 keyed with the shared secret over label || H1, split into two 32-byte keys.
void DerivePair(const std::array<uint8_t, 32>& shared, std::string_view label,
                const std::array<uint8_t, 32>& h1, StreamKey& first, StreamKey& second) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, shared.data(), shared.size(), 64);
  crypto_generichash_update(&st, AsBytes(label).data(), label.size());
  crypto_generichash_update(&st, h1.data(), h1.size());
  std::array<uint8_t, 64> okm{};
  crypto_generichash_final(&st, okm.data(), okm.size());
  std::copy(okm.begin(), okm.begin() + 32, first.begin());
  std::copy(okm.begin() + 32, okm.end(), second.begin());
  sodium_memzero(okm.data(), okm.size());
}

std::vector<uint8_t> Labelled(std::string_view label, std::span<const uint8_t> a,
                              std::span<const uint8_t> b = {}) {
  std::vector<uint8_t> m(label.begin(), label.end());
  m.insert(m.end(), a.begin(), a.end());
  m.insert(m.end(), b.begin(), b.end());
  return m;
}

// type byte || AEAD(key, nonce 0, ad = H1, plaintext).
std::vector<uint8_t> Seal(HandshakeType type, const StreamKey& key, const std::array<uint8_t, 32>& h1,
                          std::span<const uint8_t> plain) {
  std::vector<uint8_t> out(1 + plain.size() + kAeadOverhead);
  out[0] = static_cast<uint8_t>(type);
  const std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 1, &n, plain.data(), plain.size(), h1.data(),
                                             h1.size(), nullptr, nonce.data(), key.data());
  out.resize(1 + n);
  return out;
}

Result<std::vector<uint8_t>> Open(std::span<const uint8_t> sealed, const StreamKey& key,
                                  const std::array<uint8_t, 32>& h1, const char* what) {
  if (sealed.size() < kAeadOverhead) return Status::InvalidArgument(std::string(what) + " is truncated");
  std::vector<uint8_t> plain(sealed.size() - kAeadOverhead);
  const std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &n, nullptr, sealed.data(), sealed.size(),
                                                 h1.data(), h1.size(), nonce.data(), key.data()) != 0) {
    return Status::PermissionDenied(std::string(what) +
                                    " does not decrypt: the peer does not share the key "
                                    "agreement (tampered or man-in-the-middle)");
  }
  plain.resize(n);
  return plain;
}

Status Malformed(const char* what) {
  return Status::InvalidArgument(std::string("malformed ") + what);
}

// A plaintext refusal in place of the expected message: its reason, or nullopt.
std::optional<std::string> RefusalReason(std::span<const uint8_t> msg) {
  if (msg.empty() || msg[0] != static_cast<uint8_t>(HandshakeType::kRefusal)) return std::nullopt;
  ByteReader r(msg.subspan(1));
  std::string reason;
  if (!r.Str16(reason)) return std::string("(unreadable reason)");
  return reason;
}

}  // namespace

HandshakeCore::HandshakeCore() {
  if (!federation::EnsureSodium().ok()) throw std::runtime_error("libsodium cannot initialize");
  crypto_box_keypair(eph_public_.data(), eph_secret_.data());
}

HandshakeCore::~HandshakeCore() {
  sodium_memzero(eph_secret_.data(), eph_secret_.size());
  for (StreamKey* k : {&hs_c2s_, &hs_s2c_, &tr_c2s_, &tr_s2c_}) sodium_memzero(k->data(), k->size());
}

bool HandshakeCore::DeriveKeys(std::span<const uint8_t> client_hello,
                               std::span<const uint8_t> server_hello_unsigned,
                               const std::array<uint8_t, 32>& peer_ephemeral) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, h1_.size());
  HashLengthPrefixed(st, client_hello);
  HashLengthPrefixed(st, server_hello_unsigned);
  crypto_generichash_final(&st, h1_.data(), h1_.size());
  std::array<uint8_t, 32> shared{};
  if (crypto_scalarmult(shared.data(), eph_secret_.data(), peer_ephemeral.data()) != 0) return false;
  DerivePair(shared, kHandshakeKeysLabel, h1_, hs_c2s_, hs_s2c_);
  DerivePair(shared, kTrafficKeysLabel, h1_, tr_c2s_, tr_s2c_);
  sodium_memzero(shared.data(), shared.size());
  return true;
}

// ---- client

ClientHandshake::ClientHandshake(const federation::SiteKey& key, std::string site, std::string peer_site,
                                 const federation::PublicKey& peer_key, std::string token)
    : key_(key),
      site_(std::move(site)),
      peer_site_(std::move(peer_site)),
      peer_key_(peer_key),
      token_(std::move(token)) {}

std::vector<uint8_t> ClientHandshake::Hello() {
  hello_.clear();
  ByteWriter w(hello_);
  w.Text(kHandshakeMagic);
  w.U8(static_cast<uint8_t>(HandshakeType::kClientHello));
  w.U8(kProtocolVersion);
  w.Str8(site_);
  w.Str8(peer_site_);
  w.Bytes(eph_public_);
  return hello_;
}

Result<std::vector<uint8_t>> ClientHandshake::OnServerHello(std::span<const uint8_t> msg) {
  if (auto reason = RefusalReason(msg)) {
    return Status::PermissionDenied("refused by site '" + peer_site_ + "': " + *reason);
  }
  ByteReader r(msg);
  uint8_t type = 0;
  uint8_t version = 0;
  std::string server_site;
  std::array<uint8_t, 32> server_eph{};
  federation::Signature sig{};
  if (!r.U8(type) || type != static_cast<uint8_t>(HandshakeType::kServerHello))
    return Malformed("server hello");
  if (!r.U8(version) || version != kProtocolVersion) {
    return Status::InvalidArgument("server speaks transfer protocol version " + std::to_string(version) +
                                   ", this proxy version 1");
  }
  if (!r.Str8(server_site) || !r.Bytes(server_eph)) return Malformed("server hello");
  const size_t unsigned_size = msg.size() - r.remaining();
  if (!r.Bytes(sig) || !r.AtEnd()) return Malformed("server hello");
  if (server_site != peer_site_) {
    return Status::PermissionDenied("the proxy reached is site '" + server_site + "', not '" + peer_site_ +
                                    "'");
  }
  if (!DeriveKeys(hello_, msg.first(unsigned_size), server_eph)) {
    return Status::PermissionDenied("site '" + peer_site_ + "' sent an invalid ephemeral key");
  }
  if (!federation::VerifySignature(peer_key_, Labelled(kServerLabel, h1_), sig)) {
    return Status::PermissionDenied("the proxy claiming to be site '" + peer_site_ +
                                    "' did not sign with that site's trusted key (unexpected key)");
  }
  std::array<uint8_t, 32> token_hash{};
  crypto_generichash(token_hash.data(), token_hash.size(), AsBytes(token_).data(), token_.size(), nullptr, 0);
  const federation::Signature client_sig = key_.Sign(Labelled(kClientLabel, h1_, token_hash));
  StreamHeader header{};
  send_ = std::make_unique<SecretStreamPush>(tr_c2s_, header);
  std::vector<uint8_t> plain;
  ByteWriter w(plain);
  w.Bytes(client_sig);
  w.Bytes(header);
  w.Str16(token_);
  auto sealed = Seal(HandshakeType::kClientAuth, hs_c2s_, h1_, plain);
  sodium_memzero(plain.data(), plain.size());
  return sealed;
}

Result<ClientOutcome> ClientHandshake::OnVerdict(std::span<const uint8_t> msg) {
  if (auto reason = RefusalReason(msg)) {
    return Status::PermissionDenied("refused by site '" + peer_site_ + "': " + *reason);
  }
  if (msg.empty() || msg[0] != static_cast<uint8_t>(HandshakeType::kVerdict)) return Malformed("verdict");
  TERN_ASSIGN_OR_RETURN(const std::vector<uint8_t> plain, Open(msg.subspan(1), hs_s2c_, h1_, "verdict"));
  ByteReader r(plain);
  uint8_t status = 0;
  if (!r.U8(status)) return Malformed("verdict");
  if (status == kVerdictRefused) {
    std::string reason;
    if (!r.Str16(reason)) return Malformed("verdict");
    return Status::PermissionDenied("refused by site '" + peer_site_ + "': " + reason);
  }
  if (status != kVerdictAccepted) return Malformed("verdict");
  ClientOutcome out;
  uint8_t kind = 0;
  uint8_t direction = 0;
  StreamHeader header{};
  if (!r.U8(kind) || !r.U8(direction) || !r.U32(out.accepted.connection_index) ||
      !r.Str8(out.accepted.vm_id) || !r.Bytes(header) || !r.AtEnd()) {
    return Malformed("verdict");
  }
  if (kind < 1 || kind > 3 || direction < 1 || direction > 2) return Malformed("verdict");
  out.accepted.kind = static_cast<GrantKind>(kind);
  out.accepted.direction = static_cast<Direction>(direction);
  out.streams.send = std::move(send_);
  out.streams.receive = std::make_unique<SecretStreamPull>(tr_s2c_, header);
  return out;
}

// ---- server

ServerHandshake::ServerHandshake(const federation::SiteKey& key, std::string site)
    : key_(key), site_(std::move(site)) {}

Result<std::string> ServerHandshake::OnClientHello(std::span<const uint8_t> msg) {
  ByteReader r(msg);
  std::array<uint8_t, kHandshakeMagic.size()> magic{};
  if (!r.Bytes(magic) ||
      std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kHandshakeMagic) {
    return Status::InvalidArgument("not a tern transfer channel (bad magic)");
  }
  uint8_t type = 0;
  uint8_t version = 0;
  std::string server_site;
  if (!r.U8(type) || type != static_cast<uint8_t>(HandshakeType::kClientHello))
    return Malformed("client hello");
  if (!r.U8(version) || version != kProtocolVersion) {
    return Status::InvalidArgument("client speaks transfer protocol version " + std::to_string(version) +
                                   ", this proxy version 1");
  }
  if (!r.Str8(client_site_) || !r.Str8(server_site) || !r.Bytes(client_eph_) || !r.AtEnd()) {
    return Malformed("client hello");
  }
  TERN_RETURN_IF_ERROR(federation::ValidateSiteName(client_site_, "client hello site"));
  if (server_site != site_) {
    return Status::InvalidArgument("this transfer proxy is site '" + site_ + "', not '" + server_site + "'");
  }
  client_hello_.assign(msg.begin(), msg.end());
  return client_site_;
}

Result<std::vector<uint8_t>> ServerHandshake::ServerHello(const federation::PublicKey& client_key) {
  client_key_ = client_key;
  std::vector<uint8_t> msg;
  ByteWriter w(msg);
  w.U8(static_cast<uint8_t>(HandshakeType::kServerHello));
  w.U8(kProtocolVersion);
  w.Str8(site_);
  w.Bytes(eph_public_);
  if (!DeriveKeys(client_hello_, msg, client_eph_)) {
    return Status::PermissionDenied("site '" + client_site_ + "' sent an invalid ephemeral key");
  }
  w.Bytes(key_.Sign(Labelled(kServerLabel, h1_)));
  return msg;
}

Result<std::string> ServerHandshake::OnClientAuth(std::span<const uint8_t> msg) {
  if (msg.empty() || msg[0] != static_cast<uint8_t>(HandshakeType::kClientAuth))
    return Malformed("client auth");
  TERN_ASSIGN_OR_RETURN(std::vector<uint8_t> plain, Open(msg.subspan(1), hs_c2s_, h1_, "client auth"));
  ByteReader r(plain);
  federation::Signature sig{};
  std::string token;
  if (!r.Bytes(sig) || !r.Bytes(client_stream_header_) || !r.Str16(token) || !r.AtEnd()) {
    sodium_memzero(plain.data(), plain.size());
    return Malformed("client auth");
  }
  sodium_memzero(plain.data(), plain.size());
  std::array<uint8_t, 32> token_hash{};
  crypto_generichash(token_hash.data(), token_hash.size(), AsBytes(token).data(), token.size(), nullptr, 0);
  if (!federation::VerifySignature(client_key_, Labelled(kClientLabel, h1_, token_hash), sig)) {
    return Status::PermissionDenied("site '" + client_site_ +
                                    "' did not sign the handshake with its trusted key (unexpected key)");
  }
  authenticated_ = true;
  return token;
}

std::vector<uint8_t> ServerHandshake::Accept(const AcceptedChannel& accepted, ChannelStreams& streams) {
  if (!authenticated_) throw std::logic_error("ServerHandshake::Accept before OnClientAuth succeeded");
  StreamHeader header{};
  streams.send = std::make_unique<SecretStreamPush>(tr_s2c_, header);
  streams.receive = std::make_unique<SecretStreamPull>(tr_c2s_, client_stream_header_);
  std::vector<uint8_t> plain;
  ByteWriter w(plain);
  w.U8(kVerdictAccepted);
  w.U8(static_cast<uint8_t>(accepted.kind));
  w.U8(static_cast<uint8_t>(accepted.direction));
  w.U32(accepted.connection_index);
  w.Str8(accepted.vm_id);
  w.Bytes(header);
  return Seal(HandshakeType::kVerdict, hs_s2c_, h1_, plain);
}

std::vector<uint8_t> ServerHandshake::Refuse(std::string_view reason) {
  std::vector<uint8_t> plain;
  ByteWriter w(plain);
  w.U8(kVerdictRefused);
  w.Str16(reason.substr(0, 1024));
  return Seal(HandshakeType::kVerdict, hs_s2c_, h1_, plain);
}

std::vector<uint8_t> ServerHandshake::PlainRefusal(std::string_view reason) {
  std::vector<uint8_t> msg;
  ByteWriter w(msg);
  w.U8(static_cast<uint8_t>(HandshakeType::kRefusal));
  w.Str16(reason.substr(0, 1024));
  return msg;
}

}  // namespace tern::transfer
