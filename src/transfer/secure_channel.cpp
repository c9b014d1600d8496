#include "transfer/secure_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include "net/byte_io.h"

namespace tern::transfer {

namespace {

Status SendMessage(int fd, std::span<const uint8_t> body) {
  std::vector<uint8_t> msg(4 + body.size());
  net::StoreBe32(msg.data(), static_cast<uint32_t>(body.size()));
  std::copy(body.begin(), body.end(), msg.begin() + 4);
  return WriteAll(fd, msg);
}

Result<std::vector<uint8_t>> ReceiveMessage(int fd, const char* expecting) {
  std::array<uint8_t, 4> len_buf{};
  auto got = ReadExact(fd, len_buf);
  if (!got.ok()) return got.status().WithContext(std::string("handshake: waiting for ") + expecting);
  if (!*got)
    return Status::Unavailable(std::string("handshake: the peer closed the connection before ") + expecting);
  const uint32_t len = net::LoadBe32(len_buf.data());
  if (len == 0 || len > kMaxHandshakeMessage) {
    return Status::InvalidArgument("handshake: " + std::string(expecting) + " of " + std::to_string(len) +
                                   " bytes is not a tern transfer message");
  }
  std::vector<uint8_t> body(len);
  auto body_got = ReadExact(fd, body);
  if (!body_got.ok() || !*body_got) {
    return Status::Unavailable(std::string("handshake: truncated ") + expecting);
  }
  return body;
}

}  // namespace

SecureChannel::SecureChannel(net::UniqueFd fd, std::string peer_site, ChannelStreams streams)
    : fd_(std::move(fd)),
      peer_site_(std::move(peer_site)),
      push_(std::move(streams.send)),
      pull_(std::move(streams.receive)) {}

Result<std::unique_ptr<SecureChannel>> SecureChannel::Connect(net::UniqueFd&& fd, const LocalSite& self,
                                                              const std::string& peer_site,
                                                              const federation::PublicKey& peer_key,
                                                              const std::string& token,
                                                              std::chrono::milliseconds timeout,
                                                              AcceptedChannel* accepted) {
  SetIoTimeout(fd.get(), timeout);
  ClientHandshake hs(*self.key, self.name, peer_site, peer_key, token);
  TERN_RETURN_IF_ERROR(SendMessage(fd.get(), hs.Hello()));
  TERN_ASSIGN_OR_RETURN(const auto server_hello, ReceiveMessage(fd.get(), "the server hello"));
  TERN_ASSIGN_OR_RETURN(const auto auth, hs.OnServerHello(server_hello));
  TERN_RETURN_IF_ERROR(SendMessage(fd.get(), auth));
  TERN_ASSIGN_OR_RETURN(const auto verdict, ReceiveMessage(fd.get(), "the verdict"));
  TERN_ASSIGN_OR_RETURN(ClientOutcome outcome, hs.OnVerdict(verdict));
  SetIoTimeout(fd.get(), std::chrono::milliseconds(0));
  if (accepted != nullptr) *accepted = outcome.accepted;
  return std::unique_ptr<SecureChannel>(
      new SecureChannel(std::move(fd), peer_site, std::move(outcome.streams)));
}

Result<std::unique_ptr<SecureChannel>> SecureChannel::Accept(net::UniqueFd&& fd, const LocalSite& self,
                                                             const ChannelAuthority& authority,
                                                             std::chrono::milliseconds timeout,
                                                             Redemption* redemption) {
  SetIoTimeout(fd.get(), timeout);
  ServerHandshake hs(*self.key, self.name);
  // Refusals before the keys exist go out in the clear; the peer learns no more than the reason.
  const auto refuse_plain = [&](const Status& why) {
    (void)SendMessage(fd.get(), ServerHandshake::PlainRefusal(why.message()));
    return why;
  };
  TERN_ASSIGN_OR_RETURN(const auto hello, ReceiveMessage(fd.get(), "the client hello"));
  auto site = hs.OnClientHello(hello);
  if (!site.ok()) return refuse_plain(site.status());
  auto key = authority.key_of(*site);
  if (!key.ok()) {
    return refuse_plain(key.status().code() == StatusCode::kPermissionDenied
                            ? Status::PermissionDenied("site '" + *site + "' is denied by policy")
                            : Status::PermissionDenied("unknown site '" + *site + "'"));
  }
  auto server_hello = hs.ServerHello(*key);
  if (!server_hello.ok()) return refuse_plain(server_hello.status());
  TERN_RETURN_IF_ERROR(SendMessage(fd.get(), *server_hello));
  TERN_ASSIGN_OR_RETURN(const auto auth, ReceiveMessage(fd.get(), "the client auth"));
  auto token = hs.OnClientAuth(auth);
  if (!token.ok()) return refuse_plain(token.status());
  Redemption r = authority.redeem(*token, *site);
  if (!r.ok()) {
    (void)SendMessage(fd.get(), hs.Refuse(r.reason));
    return Status::PermissionDenied("site '" + *site + "': " + r.reason);
  }
  ChannelStreams streams;
  const auto verdict =
      hs.Accept(AcceptedChannel{r.grant.kind, r.grant.direction, r.connection_index, r.grant.vm_id}, streams);
  if (redemption != nullptr) *redemption = r;
  Status sent = SendMessage(fd.get(), verdict);
  if (!sent.ok()) return sent.WithContext("handshake: sending the verdict");
  SetIoTimeout(fd.get(), std::chrono::milliseconds(0));
  return std::unique_ptr<SecureChannel>(new SecureChannel(std::move(fd), *site, std::move(streams)));
}

Status SecureChannel::Send(std::span<const uint8_t> frame, bool final) {
  std::lock_guard lock(send_mu_);
  if (send_closed_) return Status::FailedPrecondition("channel to site '" + peer_site_ + "': already ended");
  send_buf_.resize(4);
  push_->Seal(frame, final, send_buf_);
  net::StoreBe32(send_buf_.data(), static_cast<uint32_t>(send_buf_.size() - 4));
  if (final) send_closed_ = true;
  Status s = WriteAll(fd_.get(), send_buf_);
  if (!s.ok()) {
    send_closed_ = true;
    return s.WithContext("channel to site '" + peer_site_ + "'");
  }
  wire_sent_ += send_buf_.size();
  return Status::Ok();
}

Result<std::optional<bool>> SecureChannel::Receive(std::vector<uint8_t>& plain) {
  std::array<uint8_t, 4> len_buf{};
  auto got = ReadExact(fd_.get(), len_buf);
  if (!got.ok()) return got.status().WithContext("channel from site '" + peer_site_ + "'");
  if (!*got) return std::optional<bool>();
  const uint32_t len = net::LoadBe32(len_buf.data());
  if (len > kMaxRecordSize) {
    return Status::InvalidArgument("channel from site '" + peer_site_ + "': record of " +
                                   std::to_string(len) + " bytes exceeds the limit");
  }
  recv_buf_.resize(len);
  auto body = ReadExact(fd_.get(), recv_buf_);
  if (!body.ok() || !*body) {
    return Status::Unavailable("channel from site '" + peer_site_ +
                               "': the link was cut in the middle of a " + std::to_string(len) +
                               "-byte record (truncated)");
  }
  wire_received_ += 4 + len;
  auto final = pull_->Open(recv_buf_, plain);
  if (!final.ok()) return final.status().WithContext("channel from site '" + peer_site_ + "'");
  return std::optional<bool>(*final);
}

bool SecureChannel::HasIncoming() const {
  pollfd p{fd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void SecureChannel::Shutdown() {
  ::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace tern::transfer
