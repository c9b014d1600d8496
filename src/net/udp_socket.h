// UdpSocket: a bound, non-blocking UDP socket with batched receive (recvmmsg, UDP GRO) and send (sendmmsg,
// UDP GSO). Used for the peer link of a network and for VM ports.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/endpoint.h"
#include "net/unique_fd.h"

namespace tern::net {

class UdpSocket {
 public:
  // Binds `local` (port 0 picks one). `what` names the socket in error messages ("network 'blue' peer
  // socket").
  static Result<UdpSocket> Bind(const Endpoint& local, const std::string& what);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const Endpoint& local() const { return local_; }
  // Asks the kernel to coalesce received datagrams (UDP_GRO); false when unsupported.
  bool EnableGro();
  [[nodiscard]] bool gro() const { return gro_; }
  void SetBuffers(int bytes);

  // One received buffer: `data` may hold several datagrams of `segment` bytes each (the last may be shorter)
  // when GRO coalesced them; segment == data.size() otherwise.
  struct Received {
    Endpoint from;
    std::span<uint8_t> data;
    size_t segment = 0;
  };
  // Receives up to `max` datagrams of at most `size` bytes into internal storage, each placed after
  // `headroom` bytes and followed by `tailroom` bytes (room for sealing in place); valid until the next call.
  // Returns the count, 0 when nothing is pending (EAGAIN), -errno on error.
  int ReceiveBatch(size_t max, size_t size, std::vector<Received>& out, size_t headroom = 0,
                   size_t tailroom = 0);

  // Queues a datagram (not copied: `data` must stay valid until Flush). `segment` > 0 and < data.size() sends
  // data as datagrams of `segment` bytes (UDP GSO; the last may be shorter).
  void Queue(const Endpoint& to, std::span<const uint8_t> data, size_t segment = 0);
  // Sends everything queued; returns the number of datagram buffers that failed.
  size_t Flush();
  [[nodiscard]] bool gso() const { return gso_ok_; }

 private:
  UniqueFd fd_;
  Endpoint local_;
  bool gro_ = false;
  bool gso_ok_ = true;
  std::string what_;
  // receive storage
  std::vector<uint8_t> rx_buf_;
  std::vector<mmsghdr> rx_msgs_;
  std::vector<iovec> rx_iov_;
  std::vector<sockaddr_storage> rx_addr_;
  std::vector<std::array<uint8_t, 64>> rx_ctrl_;
  // transmit queue
  struct Pending {
    sockaddr_storage addr;
    socklen_t addr_len;
    std::span<const uint8_t> data;
    uint16_t segment;
  };
  std::vector<Pending> tx_;
  std::vector<mmsghdr> tx_msgs_;
  std::vector<iovec> tx_iov_;
  std::vector<std::array<uint8_t, 64>> tx_ctrl_;
};

}  // namespace tern::net
