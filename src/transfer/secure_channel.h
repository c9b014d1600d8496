// SecureChannel: a transfer channel over a connected TCP socket — the handshake (handshake.h) run over the
// socket with a deadline, then encrypted, authenticated, length-prefixed records in each direction. One
// thread may send while another receives; Send is also safe from several threads (an abort from the receiving
// side).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "federation/site_key.h"
#include "net/unique_fd.h"
#include "transfer/batch_codec.h"
#include "transfer/handshake.h"
#include "transfer/tcp.h"
#include "transfer/token_registry.h"

namespace tern::transfer {

inline constexpr size_t kMaxRecordSize = kMaxBatchSize + 4096;

struct LocalSite {
  std::string name;
  std::shared_ptr<const federation::SiteKey> key;
};

// What the accepting side needs from its site: partners' keys and its token registry.
struct ChannelAuthority {
  // The trusted key of a site; NotFound (unknown) or PermissionDenied (denied) otherwise.
  std::function<Result<federation::PublicKey>(std::string_view site)> key_of;
  std::function<Redemption(std::string_view token, std::string_view site)> redeem;
};

class SecureChannel {
 public:
  // Runs the client side of the handshake on a connected socket. PermissionDenied with the peer's reason when
  // it refuses; PermissionDenied when the peer is not `peer_site` with `peer_key`.
  // Both take the socket only when they succeed; on failure it stays with the caller.
  static Result<std::unique_ptr<SecureChannel>> Connect(net::UniqueFd&& fd, const LocalSite& self,
                                                        const std::string& peer_site,
                                                        const federation::PublicKey& peer_key,
                                                        const std::string& token,
                                                        std::chrono::milliseconds timeout,
                                                        AcceptedChannel* accepted);
  // Runs the server side: authenticates the client, redeems its token, and sends the verdict. On refusal the
  // peer has been told why and the error says the same. `redemption` is filled as soon as the token is
  // redeemed: if the verdict then cannot be sent, the error comes with a redemption whose transfer_id is set,
  // and the caller must report that connection closed.
  static Result<std::unique_ptr<SecureChannel>> Accept(net::UniqueFd&& fd, const LocalSite& self,
                                                       const ChannelAuthority& authority,
                                                       std::chrono::milliseconds timeout,
                                                       Redemption* redemption);

  // Encrypts and sends one frame; `final` closes this direction (FailedPrecondition for sends after it).
  Status Send(std::span<const uint8_t> frame, bool final);
  // Receives and decrypts one record into `plain`: whether it was final, or nullopt when the connection ended
  // cleanly between records. An error for a truncated, oversized or unauthentic record.
  Result<std::optional<bool>> Receive(std::vector<uint8_t>& plain);

  // Whether a record (or the end of the connection) is waiting to be received, without blocking.
  [[nodiscard]] bool HasIncoming() const;
  // Stops both directions at the socket (unblocks a thread in Send or Receive).
  void Shutdown();
  // Ends the connection with a reset when it is closed (failures must not look like clean ends).
  void ArmResetOnClose() { ArmReset(fd_.get()); }
  // The link's throughput since the previous call (see LinkMeter); call it from the sending thread, before
  // each send.
  [[nodiscard]] LinkSample SampleLink() { return link_meter_.Sample(fd_.get()); }

  [[nodiscard]] const std::string& peer_site() const { return peer_site_; }
  [[nodiscard]] uint64_t wire_sent() const { return wire_sent_; }
  [[nodiscard]] uint64_t wire_received() const { return wire_received_; }
  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  SecureChannel(net::UniqueFd fd, std::string peer_site, ChannelStreams streams);

  net::UniqueFd fd_;
  std::string peer_site_;
  std::mutex send_mu_;
  std::unique_ptr<SecretStreamPush> push_;
  bool send_closed_ = false;
  std::vector<uint8_t> send_buf_;
  std::unique_ptr<SecretStreamPull> pull_;
  std::vector<uint8_t> recv_buf_;
  LinkMeter link_meter_;
  std::atomic<uint64_t> wire_sent_{0};
  std::atomic<uint64_t> wire_received_{0};
};

}  // namespace tern::transfer
