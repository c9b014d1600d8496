// TransferProxy: a site's transfer proxy. It accepts channels from partner proxies on its configured address
// (each authenticated by the partner's site key and authorized by a token this site issued: the token alone
// decides what the channel reaches — a TCP target inside the site, or a file to receive or send), and it
// forwards local connections to partner proxies: each connection accepted on a forward's local address
// becomes a channel to the remote proxy, relayed byte-exact in both directions. So a local client (QEMU
// migration, NBD, libvirt RPC) talks to a service at another site with no host of either site reaching a
// host of the other. See docs/protocol.md.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "federation/trust_store.h"
#include "net/endpoint.h"
#include "transfer/file_transfer.h"
#include "transfer/relay.h"
#include "transfer/secure_channel.h"
#include "transfer/token_registry.h"
#include "transfer/worker_set.h"

namespace tern::transfer {

struct ProxyConfig {
  LocalSite self;
  std::shared_ptr<const federation::TrustStore> trust;
  std::shared_ptr<TokenRegistry> tokens;
  std::optional<net::Endpoint> listen;  // where partner proxies connect; none: forward-only
  RelayOptions relay;
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds link_timeout{30000};  // a silent or dead link fails a channel after about this
  size_t max_connections = 512;  // channels and forwarded connections at once; more are closed at accept
};

// A local address whose connections are relayed to a partner proxy with a token that proxy issued.
struct ForwardRule {
  net::Endpoint listen;
  net::Endpoint remote;     // the partner proxy
  std::string remote_site;  // must be an accepted partner in the trust store
  std::string token;
};

struct ProxyCounters {
  uint64_t channels_accepted = 0;
  uint64_t channels_refused = 0;
  uint64_t channels_dialed = 0;
  uint64_t dial_failures = 0;
  uint64_t over_limit = 0;  // connections closed at accept because max_connections were busy
  uint64_t transfers_ok = 0;
  uint64_t transfers_failed = 0;
  uint64_t payload_bytes = 0;  // raw bytes relayed or transferred, both directions
  uint64_t wire_bytes = 0;     // channel bytes, both directions
};

struct DialOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds link_timeout{30000};
};

// Connects to the proxy of `remote_site` at `remote` and opens a channel with `token`; the site's key comes
// from `trust` (NotFound/PermissionDenied when it is not an accepted partner).
Result<std::unique_ptr<SecureChannel>> DialProxy(const LocalSite& self, const federation::TrustStore& trust,
                                                 const net::Endpoint& remote, const std::string& remote_site,
                                                 const std::string& token, const DialOptions& options,
                                                 AcceptedChannel* accepted = nullptr);

class TransferProxy {
 public:
  static Result<std::unique_ptr<TransferProxy>> Start(ProxyConfig config);
  ~TransferProxy();
  TransferProxy(const TransferProxy&) = delete;
  TransferProxy& operator=(const TransferProxy&) = delete;

  // Starts forwarding; returns the bound local address (port 0 picks one).
  Result<net::Endpoint> AddForward(const ForwardRule& rule);
  // Where partner proxies connect (the bound address), if listening.
  [[nodiscard]] std::optional<net::Endpoint> channel_endpoint() const { return channel_endpoint_; }
  [[nodiscard]] ProxyCounters counters() const;
  [[nodiscard]] const ProxyConfig& config() const { return config_; }
  // Stops listening, cuts every channel and joins every thread. Idempotent.
  void Stop();

 private:
  explicit TransferProxy(ProxyConfig config) : config_(std::move(config)) {}
  void AcceptChannels(int listen_fd);
  void ServeChannel(net::UniqueFd fd);
  void AcceptForwarded(int listen_fd, ForwardRule rule);
  void ServeForwarded(net::UniqueFd local, const ForwardRule& rule);
  void Record(bool ok, uint64_t payload, uint64_t wire);

  ProxyConfig config_;
  std::optional<net::Endpoint> channel_endpoint_;
  std::mutex mu_;
  std::vector<net::UniqueFd> listeners_;
  std::vector<std::thread> acceptors_;
  WorkerSet workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> channels_accepted_{0}, channels_refused_{0}, channels_dialed_{0}, dial_failures_{0},
      transfers_ok_{0}, transfers_failed_{0}, payload_bytes_{0}, wire_bytes_{0}, over_limit_{0};
};

}  // namespace tern::transfer
