#include "transfer/worker_set.h"

#include <sys/socket.h>

namespace tern::transfer {

void WorkerSet::Reap() {
  for (const uint64_t id : finished_) {
    auto it = threads_.find(id);
    if (it == threads_.end()) continue;
    if (it->second.joinable()) it->second.join();
    threads_.erase(it);
  }
  finished_.clear();
}

void WorkerSet::Spawn(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  Reap();
  const uint64_t id = next_id_++;
  threads_.emplace(id, std::thread([this, id, fn = std::move(fn)] {
                     fn();
                     std::lock_guard inner(mu_);
                     finished_.push_back(id);
                   }));
}

void WorkerSet::JoinAll() {
  std::map<uint64_t, std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
    finished_.clear();
  }
  for (auto& [id, t] : threads) {
    if (t.joinable()) t.join();
  }
}

void WorkerSet::RegisterSocket(int fd) {
  std::lock_guard lock(mu_);
  sockets_.insert(fd);
}

void WorkerSet::UnregisterSocket(int fd) {
  std::lock_guard lock(mu_);
  sockets_.erase(fd);
}

void WorkerSet::ShutdownSockets() {
  std::lock_guard lock(mu_);
  for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
}

size_t WorkerSet::running() const {
  std::lock_guard lock(mu_);
  return threads_.size() - finished_.size();
}

}  // namespace tern::transfer
