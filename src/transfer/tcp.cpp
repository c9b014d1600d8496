#include "transfer/tcp.h"

#include <fcntl.h>
#include <linux/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::transfer {

namespace {

std::string Errno(int e = errno) {
  return std::strerror(e);
}

void SetInt(int fd, int level, int opt, int value) {
  (void)::setsockopt(fd, level, opt, &value, sizeof value);
}

}  // namespace

Result<net::UniqueFd> ListenTcp(const net::Endpoint& local, const std::string& what) {
  if (!local.valid()) return Status::InvalidArgument(what + ": no listen address");
  net::UniqueFd fd(::socket(local.family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError(what + ": socket: " + Errno());
  SetInt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
  if (local.family == 6) SetInt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
  sockaddr_storage sa{};
  const socklen_t len = local.ToSockaddr(sa);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    return Status::IoError(what + ": cannot bind " + local.ToString() + ": " + Errno());
  }
  if (::listen(fd.get(), 128) != 0) return Status::IoError(what + ": listen: " + Errno());
  return fd;
}

Result<net::Endpoint> LocalEndpoint(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return Status::IoError("getsockname: " + Errno());
  return net::Endpoint::FromSockaddr(sa);
}

Result<net::Endpoint> PeerEndpoint(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return Status::IoError("getpeername: " + Errno());
  return net::Endpoint::FromSockaddr(sa);
}

Result<net::UniqueFd> ConnectTcp(const net::Endpoint& remote, std::chrono::milliseconds timeout,
                                 const std::string& what) {
  net::UniqueFd fd(
      ::socket(remote.family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return Status::IoError(what + ": socket: " + Errno());
  sockaddr_storage sa{};
  const socklen_t len = remote.ToSockaddr(sa);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    if (errno != EINPROGRESS)
      return Status::Unavailable(what + ": cannot connect to " + remote.ToString() + ": " + Errno());
    pollfd p{fd.get(), POLLOUT, 0};
    int rc = 0;
    do {
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) return Status::Unavailable(what + ": connecting to " + remote.ToString() + " timed out");
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (rc < 0 || err != 0) {
      return Status::Unavailable(what + ": cannot connect to " + remote.ToString() + ": " +
                                 Errno(rc < 0 ? errno : err));
    }
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  SetInt(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
  return fd;
}

Result<net::UniqueFd> AcceptTcp(int listen_fd) {
  while (true) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      SetInt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      return net::UniqueFd(fd);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      ::usleep(50 * 1000);  // out of descriptors: back off instead of spinning
      continue;
    }
    return Status::Unavailable("accept: " + Errno());
  }
}

Status WriteAll(int fd, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Unavailable("write timed out");
      return Status::Unavailable("write failed: " + Errno());
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<bool> ReadExact(int fd, std::span<uint8_t> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::recv(fd, buf.data() + got, buf.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Unavailable("read timed out");
      return Status::Unavailable("read failed: " + Errno());
    }
    if (n == 0) {
      if (got == 0) return false;
      return Status::Unavailable("the connection ended after " + std::to_string(got) + " of " +
                                 std::to_string(buf.size()) + " bytes (truncated)");
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

void SetLinkTimeout(int fd, std::chrono::milliseconds timeout) {
  const int ms = static_cast<int>(std::max<int64_t>(timeout.count(), 1000));
  SetInt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, ms);
  SetInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
  SetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, std::max(1, ms / 3000));
  SetInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, std::max(1, ms / 3000));
  SetInt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3);
}

void SetIoTimeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void ArmReset(int fd) {
  linger l{1, 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

LinkSample LinkMeter::Sample(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  LinkSample sample;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < offsetof(tcp_info, tcpi_notsent_bytes) + sizeof info.tcpi_notsent_bytes) {
    return sample;
  }
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const double now = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  const uint64_t acked = info.tcpi_bytes_acked;
  const bool busy = info.tcpi_notsent_bytes > 0 || info.tcpi_unacked > 0;
  if (started_ && now - at_ > 0.005 && acked > acked_) {
    sample.delivery_bytes_per_second = static_cast<double>(acked - acked_) / (now - at_);
    sample.app_limited = !busy;
    sample.valid = true;
  }
  started_ = true;
  acked_ = acked;
  at_ = now;
  return sample;
}

}  // namespace tern::transfer
