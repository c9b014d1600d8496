// WorkerSet: one thread per connection, joined when finished (lazily, on the next Spawn) or all at once on
// shutdown; and the set of sockets those threads block on, so shutdown can unblock them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tern::transfer {

class WorkerSet {
 public:
  ~WorkerSet() { JoinAll(); }
  void Spawn(std::function<void()> fn);
  // Joins every thread (after the caller made them return, e.g. with ShutdownSockets).
  void JoinAll();

  // Sockets registered here are shut down by ShutdownSockets; a thread must unregister a socket before it
  // closes it (so a recycled descriptor number is never shut down by mistake).
  void RegisterSocket(int fd);
  void UnregisterSocket(int fd);
  void ShutdownSockets();
  [[nodiscard]] size_t running() const;

 private:
  void Reap();
  mutable std::mutex mu_;
  std::map<uint64_t, std::thread> threads_;
  std::vector<uint64_t> finished_;
  uint64_t next_id_ = 0;
  std::set<int> sockets_;
};

// Registers a socket for the lifetime of the guard; declare it after whatever owns the socket, so it is
// destroyed (unregistering) before the owner closes the socket.
class SocketRegistration {
 public:
  SocketRegistration(WorkerSet& set, int fd) : set_(set), fd_(fd) { set_.RegisterSocket(fd_); }
  ~SocketRegistration() { set_.UnregisterSocket(fd_); }
  SocketRegistration(const SocketRegistration&) = delete;
  SocketRegistration& operator=(const SocketRegistration&) = delete;

 private:
  WorkerSet& set_;
  int fd_;
};

}  // namespace tern::transfer
