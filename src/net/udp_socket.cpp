#include "net/udp_socket.h"

#include <errno.h>
#include <netinet/udp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace tern::net {

Result<UdpSocket> UdpSocket::Bind(const Endpoint& local, const std::string& what) {
  const int family = local.family == 6 ? AF_INET6 : AF_INET;
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError(what + ": socket: " + std::strerror(errno));
  sockaddr_storage sa;
  const socklen_t len = local.ToSockaddr(sa);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    return Status::IoError(what + ": bind " + local.ToString() + ": " + std::strerror(errno));
  }
  socklen_t sl = sizeof sa;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &sl);
  UdpSocket s;
  s.fd_ = std::move(fd);
  s.local_ = Endpoint::FromSockaddr(sa);
  s.what_ = what;
  return s;
}

bool UdpSocket::EnableGro() {
  int one = 1;
  gro_ = ::setsockopt(fd_.get(), IPPROTO_UDP, UDP_GRO, &one, sizeof one) == 0;
  return gro_;
}

void UdpSocket::SetBuffers(int bytes) {
  // SO_*BUFFORCE works as root and ignores the sysctl maximum; fall back to the plain options otherwise.
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0) {
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  }
}

int UdpSocket::ReceiveBatch(size_t max, size_t size, std::vector<Received>& out, size_t headroom,
                            size_t tailroom) {
  out.clear();
  const size_t buf_size = headroom + size + tailroom;
  if (rx_msgs_.size() != max || rx_buf_.size() != max * buf_size) {
    rx_buf_.assign(max * buf_size, 0);
    rx_msgs_.assign(max, mmsghdr{});
    rx_iov_.assign(max, iovec{});
    rx_addr_.assign(max, sockaddr_storage{});
    rx_ctrl_.assign(max, {});
  }
  for (size_t i = 0; i < max; ++i) {
    rx_iov_[i] = iovec{rx_buf_.data() + i * buf_size + headroom, size};
    msghdr& h = rx_msgs_[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &rx_addr_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &rx_iov_[i];
    h.msg_iovlen = 1;
    h.msg_control = rx_ctrl_[i].data();
    h.msg_controllen = rx_ctrl_[i].size();
  }
  const int n = ::recvmmsg(fd_.get(), rx_msgs_.data(), static_cast<unsigned>(max), MSG_DONTWAIT, nullptr);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  for (int i = 0; i < n; ++i) {
    const msghdr& h = rx_msgs_[i].msg_hdr;
    Received r;
    r.from = Endpoint::FromSockaddr(rx_addr_[i]);
    r.data = std::span<uint8_t>(rx_buf_.data() + i * buf_size + headroom, rx_msgs_[i].msg_len);
    r.segment = r.data.size();
    if ((h.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any message we send: drop
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
      if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
        int seg = 0;
        std::memcpy(&seg, CMSG_DATA(c), sizeof seg);
        if (seg > 0) r.segment = static_cast<size_t>(seg);
      }
    }
    out.push_back(r);
  }
  return n;
}

void UdpSocket::Queue(const Endpoint& to, std::span<const uint8_t> data, size_t segment) {
  if (segment > 0 && segment < data.size() && !gso_ok_) {
    for (size_t off = 0; off < data.size(); off += segment) {
      Queue(to, data.subspan(off, std::min(segment, data.size() - off)));
    }
    return;
  }
  Pending p;
  p.addr_len = to.ToSockaddr(p.addr);
  p.data = data;
  p.segment = (segment > 0 && segment < data.size()) ? static_cast<uint16_t>(segment) : 0;
  tx_.push_back(p);
}

size_t UdpSocket::Flush() {
  size_t failed = 0;
  size_t done = 0;
  while (done < tx_.size()) {
    const size_t n = std::min<size_t>(tx_.size() - done, 64);
    tx_msgs_.assign(n, mmsghdr{});
    tx_iov_.assign(n, iovec{});
    tx_ctrl_.resize(std::max(tx_ctrl_.size(), n));
    for (size_t i = 0; i < n; ++i) {
      Pending& p = tx_[done + i];
      tx_iov_[i] = iovec{const_cast<uint8_t*>(p.data.data()), p.data.size()};
      msghdr& h = tx_msgs_[i].msg_hdr;
      h.msg_name = &p.addr;
      h.msg_namelen = p.addr_len;
      h.msg_iov = &tx_iov_[i];
      h.msg_iovlen = 1;
      if (p.segment != 0) {
        h.msg_control = tx_ctrl_[i].data();
        h.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
        cmsghdr* c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        std::memcpy(CMSG_DATA(c), &p.segment, sizeof p.segment);
      }
    }
    size_t sent = 0;
    while (sent < n) {
      const int r = ::sendmmsg(fd_.get(), tx_msgs_.data() + sent, static_cast<unsigned>(n - sent), 0);
      if (r > 0) {
        sent += static_cast<size_t>(r);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ENOBUFS) {
        // The socket buffer is full: wait briefly for room rather than drop a whole batch.
        pollfd pfd{fd_.get(), POLLOUT, 0};
        if (::poll(&pfd, 1, 5) > 0) continue;
      }
      Pending& p = tx_[done + sent];
      if (p.segment != 0 && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
        // No UDP GSO here (or this route): from now on split in user space; resend this one split.
        gso_ok_ = false;
        const Endpoint to = Endpoint::FromSockaddr(p.addr);
        const auto data = p.data;
        const size_t seg = p.segment;
        for (size_t off = 0; off < data.size(); off += seg) {
          const auto part = data.subspan(off, std::min(seg, data.size() - off));
          if (::sendto(fd_.get(), part.data(), part.size(), 0, reinterpret_cast<sockaddr*>(&p.addr),
                       p.addr_len) < 0) {
            ++failed;
          }
        }
        (void)to;
      } else {
        ++failed;  // ECONNREFUSED from a VM port whose QEMU is not there, unreachable peers: counted, dropped
      }
      ++sent;
    }
    done += n;
  }
  tx_.clear();
  return failed;
}

}  // namespace tern::net
