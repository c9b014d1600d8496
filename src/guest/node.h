// A node of the union as the kernel knows it (one FUSE node id per path), and its resolution against one
// layer snapshot (winning layer, merged directory layers, lazily opened file and directory listing).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "guest/layer_stack.h"
#include "guest/unique_fd.h"

namespace tern::guest {

// Immutable once built, except for the lazily filled caches (guarded by cache_mutex).
struct NodeState {
  uint64_t epoch = 0;
  bool found = false;
  std::shared_ptr<const Layer> winner;               // null for the root of an empty union
  EntrySummary entry;                                // what the node is (from the winner's manifest)
  std::vector<std::shared_ptr<const Layer>> merged;  // directories: the layers merged into the view

  // Opens the winner's file once (read-only) and returns the descriptor, or -errno.
  int ReadFd(const std::string& path) const;
  // The merged listing of a directory, computed once.
  std::shared_ptr<const std::vector<ListingEntry>> Listing(const std::string& path) const;

 private:
  mutable std::mutex cache_mutex_;
  mutable UniqueFd fd_;
  mutable std::shared_ptr<const std::vector<ListingEntry>> listing_;
};

class Node {
 public:
  Node(std::string path, uint32_t type, uint64_t generation)
      : path_(std::move(path)), type_(type), generation_(generation) {}
  const std::string& path() const { return path_; }
  uint32_t type() const { return type_; }  // S_IFMT bits when the node was created
  uint64_t generation() const { return generation_; }
  std::atomic<uint64_t>& lookups() { return lookups_; }

  std::shared_ptr<const NodeState> state() const {
    const std::lock_guard lock(mutex_);
    return state_;
  }
  // Stores `s` unless a state of a newer epoch is already there.
  void set_state(std::shared_ptr<const NodeState> s) {
    const std::lock_guard lock(mutex_);
    if (!state_ || state_->epoch <= s->epoch) state_ = std::move(s);
  }
  void clear_state() {
    const std::lock_guard lock(mutex_);
    state_.reset();
  }

 private:
  const std::string path_;
  const uint32_t type_;
  const uint64_t generation_;
  std::atomic<uint64_t> lookups_{0};
  mutable std::mutex mutex_;
  std::shared_ptr<const NodeState> state_;
};

// The resolution of `path` against `snap`, given the already resolved state of its parent (null for the
// root).
std::shared_ptr<const NodeState> ResolveChild(const LayerSnapshot& snap, const NodeState* parent,
                                              const std::string& path);

}  // namespace tern::guest
