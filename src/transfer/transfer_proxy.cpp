#include "transfer/transfer_proxy.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace tern::transfer {

Result<std::unique_ptr<SecureChannel>> DialProxy(const LocalSite& self, const federation::TrustStore& trust,
                                                 const net::Endpoint& remote, const std::string& remote_site,
                                                 const std::string& token, const DialOptions& options,
                                                 AcceptedChannel* accepted) {
  auto key = trust.AcceptedKey(remote_site);
  if (!key.ok()) return key.status().WithContext("transfer proxy of site '" + remote_site + "'");
  const std::string what = "transfer proxy of site '" + remote_site + "'";
  TERN_ASSIGN_OR_RETURN(net::UniqueFd fd, ConnectTcp(remote, options.connect_timeout, what));
  SetLinkTimeout(fd.get(), options.link_timeout);
  auto channel = SecureChannel::Connect(std::move(fd), self, remote_site, *key, token,
                                        options.handshake_timeout, accepted);
  if (!channel.ok()) return channel.status().WithContext(what + " at " + remote.ToString());
  return channel;
}

Result<std::unique_ptr<TransferProxy>> TransferProxy::Start(ProxyConfig config) {
  if (!config.self.key) return Status::InvalidArgument("transfer proxy: no site key");
  if (!config.trust) return Status::InvalidArgument("transfer proxy: no trust store");
  if (!config.tokens) return Status::InvalidArgument("transfer proxy: no token registry");
  std::unique_ptr<TransferProxy> proxy(new TransferProxy(std::move(config)));
  if (proxy->config_.listen) {
    TERN_ASSIGN_OR_RETURN(net::UniqueFd fd,
                          ListenTcp(*proxy->config_.listen, "transfer proxy channel listener"));
    TERN_ASSIGN_OR_RETURN(proxy->channel_endpoint_, LocalEndpoint(fd.get()));
    const int raw = fd.get();
    proxy->listeners_.push_back(std::move(fd));
    proxy->acceptors_.emplace_back([p = proxy.get(), raw] { p->AcceptChannels(raw); });
    spdlog::info("transfer proxy of site '{}' accepts channels on {}", proxy->config_.self.name,
                 proxy->channel_endpoint_->ToString());
  }
  return proxy;
}

TransferProxy::~TransferProxy() {
  Stop();
}

void TransferProxy::Stop() {
  std::vector<std::thread> acceptors;
  {
    std::lock_guard lock(mu_);
    if (stopping_.exchange(true)) return;
    for (auto& l : listeners_) ::shutdown(l.get(), SHUT_RDWR);
    acceptors.swap(acceptors_);
  }
  for (auto& t : acceptors) {
    if (t.joinable()) t.join();
  }
  workers_.ShutdownSockets();
  workers_.JoinAll();
  std::lock_guard lock(mu_);
  listeners_.clear();
}

Result<net::Endpoint> TransferProxy::AddForward(const ForwardRule& rule) {
  if (stopping_) return Status::FailedPrecondition("transfer proxy is stopping");
  auto key = config_.trust->AcceptedKey(rule.remote_site);
  if (!key.ok()) return key.status().WithContext("forward to site '" + rule.remote_site + "'");
  TERN_RETURN_IF_ERROR(
      TokenSecret::Parse(rule.token).status().WithContext("forward to site '" + rule.remote_site + "'"));
  TERN_ASSIGN_OR_RETURN(net::UniqueFd fd,
                        ListenTcp(rule.listen, "forward to site '" + rule.remote_site + "'"));
  TERN_ASSIGN_OR_RETURN(const net::Endpoint bound, LocalEndpoint(fd.get()));
  const int raw = fd.get();
  std::lock_guard lock(mu_);
  if (stopping_) return Status::FailedPrecondition("transfer proxy is stopping");
  listeners_.push_back(std::move(fd));
  acceptors_.emplace_back([this, raw, rule] { AcceptForwarded(raw, rule); });
  spdlog::info("forwarding connections on {} to site '{}' proxy {}", bound.ToString(), rule.remote_site,
               rule.remote.ToString());
  return bound;
}

ProxyCounters TransferProxy::counters() const {
  ProxyCounters c;
  c.channels_accepted = channels_accepted_;
  c.channels_refused = channels_refused_;
  c.channels_dialed = channels_dialed_;
  c.dial_failures = dial_failures_;
  c.over_limit = over_limit_;
  c.transfers_ok = transfers_ok_;
  c.transfers_failed = transfers_failed_;
  c.payload_bytes = payload_bytes_;
  c.wire_bytes = wire_bytes_;
  return c;
}

void TransferProxy::Record(bool ok, uint64_t payload, uint64_t wire) {
  (ok ? transfers_ok_ : transfers_failed_)++;
  payload_bytes_ += payload;
  wire_bytes_ += wire;
}

void TransferProxy::AcceptChannels(int listen_fd) {
  while (!stopping_) {
    auto fd = AcceptTcp(listen_fd);
    if (!fd.ok()) break;
    if (workers_.running() >= config_.max_connections) {  // a thread per connection: bound them
      ++over_limit_;
      continue;
    }
    workers_.Spawn([this, f = std::make_shared<net::UniqueFd>(std::move(*fd))]() mutable {
      ServeChannel(std::move(*f));
    });
  }
}

void TransferProxy::ServeChannel(net::UniqueFd fd) {
  // Unregistered explicitly before the socket is closed, whichever object owns it by then.
  std::optional<SocketRegistration> registration(std::in_place, workers_, fd.get());
  auto peer = PeerEndpoint(fd.get());
  const std::string from = peer.ok() ? peer->ToString() : "?";
  SetLinkTimeout(fd.get(), config_.link_timeout);
  const ChannelAuthority authority{[this](std::string_view site) { return config_.trust->AcceptedKey(site); },
                                   [this](std::string_view token, std::string_view site) {
                                     return config_.tokens->Redeem(token, site, Clock::now());
                                   }};
  Redemption r;
  auto channel = SecureChannel::Accept(std::move(fd), config_.self, authority, config_.handshake_timeout, &r);
  if (!channel.ok()) {
    registration.reset();
    ++channels_refused_;
    spdlog::warn("transfer proxy: refused a channel from {}: {}", from, channel.status().message());
    if (r.transfer_id != 0)
      config_.tokens->ConnectionClosed(r.transfer_id, false, channel.status().message(), 0, 0);
    return;
  }
  SecureChannel& ch = **channel;
  ++channels_accepted_;
  spdlog::info("transfer proxy: channel from site '{}' ({}) for VM '{}': {}", ch.peer_site(), from,
               r.grant.vm_id, GrantKindName(r.grant.kind));
  bool ok = false;
  std::string detail;
  uint64_t payload = 0;
  switch (r.grant.kind) {
    case GrantKind::kConnect: {
      // The target comes from the grant this site issued, never from the peer.
      auto target = net::Endpoint::Parse(r.grant.target);
      auto local = target.ok() ? ConnectTcp(*target, config_.connect_timeout, "transfer target")
                               : Result<net::UniqueFd>(target.status());
      if (!local.ok()) {
        detail = local.status().message();
        std::vector<uint8_t> frame;
        AppendAbort(frame, "the transfer target inside site '" + config_.self.name + "' is not reachable");
        (void)ch.Send(frame, true);
        break;
      }
      const RelayResult rr = [&] {
        SocketRegistration local_registration(workers_, local->get());
        return Relay(local->get(), ch, config_.relay);
      }();
      ok = rr.ok;
      detail = ok ? "relayed " + std::to_string(rr.bytes_out) + " bytes out, " + std::to_string(rr.bytes_in) +
                        " in"
                  : rr.error;
      payload = rr.bytes_in + rr.bytes_out;
      break;
    }
    case GrantKind::kReceiveFile:
    case GrantKind::kSendFile: {
      auto result = r.grant.kind == GrantKind::kReceiveFile
                        ? ReceiveFile(ch, r.grant.target)
                        : SendFile(ch, r.grant.target, config_.relay.compress, config_.relay.max_batch);
      ok = result.ok();
      detail = ok ? result->message : result.status().message();
      payload = ok ? result->size : 0;
      break;
    }
  }
  const uint64_t wire = ch.wire_sent() + ch.wire_received();
  if (!ok) ch.ArmResetOnClose();
  config_.tokens->ConnectionClosed(r.transfer_id, ok, detail, payload, wire);
  Record(ok, payload, wire);
  if (ok) {
    spdlog::info("transfer proxy: channel from site '{}' for VM '{}' done: {}", ch.peer_site(), r.grant.vm_id,
                 detail);
  } else {
    spdlog::warn("transfer proxy: channel from site '{}' for VM '{}' failed: {}", ch.peer_site(),
                 r.grant.vm_id, detail);
  }
  registration.reset();  // before the channel closes its socket
}

void TransferProxy::AcceptForwarded(int listen_fd, ForwardRule rule) {
  while (!stopping_) {
    auto fd = AcceptTcp(listen_fd);
    if (!fd.ok()) break;
    if (workers_.running() >= config_.max_connections) {
      ++over_limit_;
      ArmReset(fd->get());
      continue;
    }
    workers_.Spawn([this, rule, f = std::make_shared<net::UniqueFd>(std::move(*fd))]() mutable {
      ServeForwarded(std::move(*f), rule);
    });
  }
}

void TransferProxy::ServeForwarded(net::UniqueFd local, const ForwardRule& rule) {
  SocketRegistration local_registration(workers_, local.get());
  const DialOptions options{config_.connect_timeout, config_.handshake_timeout, config_.link_timeout};
  auto channel = DialProxy(config_.self, *config_.trust, rule.remote, rule.remote_site, rule.token, options);
  if (!channel.ok()) {
    ++dial_failures_;
    spdlog::warn("transfer proxy: forward to site '{}': {}", rule.remote_site, channel.status().message());
    ArmReset(local.get());  // the local client must see a failure, not an empty stream
    return;
  }
  ++channels_dialed_;
  SecureChannel& ch = **channel;
  SocketRegistration channel_registration(workers_, ch.fd());
  const RelayResult rr = Relay(local.get(), ch, config_.relay);
  const uint64_t wire = rr.wire_in + rr.wire_out;
  Record(rr.ok, rr.bytes_in + rr.bytes_out, wire);
  if (!rr.ok) {
    ch.ArmResetOnClose();
    spdlog::warn("transfer proxy: forward to site '{}' failed: {}", rule.remote_site, rr.error);
  }
}

}  // namespace tern::transfer
