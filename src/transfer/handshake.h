// The transfer channel handshake, as pure state machines over message bytes: ephemeral X25519 keys, each
// side signing the transcript with its site's Ed25519 key, the client then presenting its transfer token
// encrypted, the server answering with an authenticated verdict. Both ends derive one secretstream key per
// direction. A peer with an unexpected key, a bad signature or a refused token ends the handshake with a
// reason. See docs/protocol.md, "Channel handshake".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "federation/public_key.h"
#include "federation/site_key.h"
#include "transfer/secret_stream.h"
#include "transfer/transfer_token.h"

namespace tern::transfer {

inline constexpr std::string_view kHandshakeMagic = "TERNXFR1";
inline constexpr uint8_t kProtocolVersion = 1;
inline constexpr size_t kMaxHandshakeMessage = 4096;

enum class HandshakeType : uint8_t {
  kClientHello = 1,
  kServerHello = 2,
  kClientAuth = 3,
  kVerdict = 4,
  kRefusal = 0x7f,
};

// What the server granted this channel, as the client learns it.
struct AcceptedChannel {
  GrantKind kind = GrantKind::kConnect;
  Direction direction = Direction::kDestination;
  uint32_t connection_index = 0;
  std::string vm_id;
};

// The two record streams of an established channel.
struct ChannelStreams {
  std::unique_ptr<SecretStreamPush> send;
  std::unique_ptr<SecretStreamPull> receive;
};

struct ClientOutcome {
  AcceptedChannel accepted;
  ChannelStreams streams;
};

// Ephemeral X25519 key and transcript state shared by both roles.
class HandshakeCore {
 protected:
  HandshakeCore();
  ~HandshakeCore();
  HandshakeCore(const HandshakeCore&) = delete;
  HandshakeCore& operator=(const HandshakeCore&) = delete;
  // Computes H1 and the handshake and traffic keys; false when the peer's key is a low-order point.
  bool DeriveKeys(std::span<const uint8_t> client_hello, std::span<const uint8_t> server_hello_unsigned,
                  const std::array<uint8_t, 32>& peer_ephemeral);

  std::array<uint8_t, 32> eph_public_{};
  std::array<uint8_t, 32> eph_secret_{};
  std::array<uint8_t, 32> h1_{};
  StreamKey hs_c2s_{}, hs_s2c_{}, tr_c2s_{}, tr_s2c_{};
};

class ClientHandshake : HandshakeCore {
 public:
  // `key`/`site`: this site; `peer_site`/`peer_key`: the site the client expects to reach (from its trust
  // store); `token`: the transfer token that site issued.
  ClientHandshake(const federation::SiteKey& key, std::string site, std::string peer_site,
                  const federation::PublicKey& peer_key, std::string token);

  std::vector<uint8_t> Hello();
  // The ClientAuth message. PermissionDenied with the server's reason when it refused, or when the server is
  // not who the client expected (another site name or a key that is not the trusted one); InvalidArgument on
  // a malformed message.
  Result<std::vector<uint8_t>> OnServerHello(std::span<const uint8_t> msg);
  // The established channel, or PermissionDenied("refused by site X: <reason>").
  Result<ClientOutcome> OnVerdict(std::span<const uint8_t> msg);

 private:
  const federation::SiteKey& key_;
  std::string site_, peer_site_;
  federation::PublicKey peer_key_;
  std::string token_;
  std::vector<uint8_t> hello_;
  std::unique_ptr<SecretStreamPush> send_;
};

class ServerHandshake : HandshakeCore {
 public:
  ServerHandshake(const federation::SiteKey& key, std::string site);

  // The client's site name, once the message is well-formed and addressed to this site.
  Result<std::string> OnClientHello(std::span<const uint8_t> msg);
  // The ServerHello, signed; `client_key` is the trusted key of the site OnClientHello returned.
  Result<std::vector<uint8_t>> ServerHello(const federation::PublicKey& client_key);
  // The token the client presents, once its signature verifies with `client_key`.
  Result<std::string> OnClientAuth(std::span<const uint8_t> msg);
  // The verdict accepting the channel; fills `streams`.
  std::vector<uint8_t> Accept(const AcceptedChannel& accepted, ChannelStreams& streams);
  // An authenticated refusal (after OnClientAuth).
  std::vector<uint8_t> Refuse(std::string_view reason);
  // A plaintext refusal, for the steps before keys exist (bad hello, unknown or denied site).
  static std::vector<uint8_t> PlainRefusal(std::string_view reason);

  [[nodiscard]] const std::string& client_site() const { return client_site_; }

 private:
  const federation::SiteKey& key_;
  std::string site_, client_site_;
  std::vector<uint8_t> client_hello_;
  std::array<uint8_t, 32> client_eph_{};
  federation::PublicKey client_key_{};
  StreamHeader client_stream_header_{};
  bool authenticated_ = false;
};

}  // namespace tern::transfer
