// Test peers for the transfer tests: an echo server (each connection echoed until EOF, then half-closed) and
// a client that sends a buffer, half-closes and collects the answer.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "transfer/tcp.h"

namespace tern::transfer {

class EchoServer {
 public:
  // Listens on `listen` (in the calling thread's network namespace) and serves from its own threads.
  static Result<std::unique_ptr<EchoServer>> Start(const net::Endpoint& listen) {
    auto fd = ListenTcp(listen, "echo server");
    if (!fd.ok()) return fd.status();
    std::unique_ptr<EchoServer> s(new EchoServer());
    s->fd_ = std::move(*fd);
    s->endpoint_ = LocalEndpoint(s->fd_.get()).value();
    s->thread_ = std::thread([p = s.get()] { p->Loop(); });
    return s;
  }
  ~EchoServer() {
    ::shutdown(fd_.get(), SHUT_RDWR);
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  std::string target() const { return endpoint_.ToString(); }

 private:
  EchoServer() = default;
  void Loop() {
    while (true) {
      auto c = AcceptTcp(fd_.get());
      if (!c.ok()) return;
      workers_.emplace_back([fd = std::make_shared<net::UniqueFd>(std::move(*c))] {
        std::vector<uint8_t> buf(64 << 10);
        while (true) {
          const ssize_t n = ::recv(fd->get(), buf.data(), buf.size(), 0);
          if (n <= 0) break;
          if (!WriteAll(fd->get(), std::span(buf).first(static_cast<size_t>(n))).ok()) return;
        }
        ::shutdown(fd->get(), SHUT_WR);
      });
    }
  }
  net::UniqueFd fd_;
  net::Endpoint endpoint_;
  std::thread thread_;
  std::vector<std::thread> workers_;
};

// Sends `data`, half-closes, and returns everything received until EOF; an error when the connection failed
// (reset) at any point.
inline Result<std::vector<uint8_t>> EchoThrough(const net::Endpoint& ep, const std::vector<uint8_t>& data) {
  auto fd = ConnectTcp(ep, std::chrono::milliseconds(5000), "client");
  if (!fd.ok()) return fd.status();
  SetIoTimeout(fd->get(), std::chrono::milliseconds(60000));
  std::vector<uint8_t> got;
  bool reset = false;
  std::thread reader([&] {
    std::vector<uint8_t> buf(64 << 10);
    while (true) {
      const ssize_t n = ::recv(fd->get(), buf.data(), buf.size(), 0);
      if (n < 0) reset = true;
      if (n <= 0) break;
      got.insert(got.end(), buf.begin(), buf.begin() + n);
    }
  });
  const Status sent = WriteAll(fd->get(), data);
  ::shutdown(fd->get(), SHUT_WR);
  reader.join();
  if (!sent.ok()) return sent;
  if (reset) return Status::Unavailable("connection reset after " + std::to_string(got.size()) + " bytes");
  return got;
}

}  // namespace tern::transfer
