// UnionFs: the state behind the FUSE operations of the read-only union — the layer stack, the table of nodes
// the kernel knows, their resolution, and the precise kernel cache invalidation after a layer change.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "guest/layer_stack.h"
#include "guest/node.h"

struct fuse_session;

namespace tern::guest {

// How long the kernel may cache entries and attributes: long, since every change is invalidated explicitly.
inline constexpr double kCacheTimeoutSeconds = 365.0 * 24 * 3600;

class UnionFs {
 public:
  UnionFs();
  UnionFs(const UnionFs&) = delete;
  UnionFs& operator=(const UnionFs&) = delete;

  LayerStack& layers() { return layers_; }
  void set_session(fuse_session* se) { session_.store(se); }

  // Node ids: FUSE_ROOT_ID for the root, otherwise the node's address. Null if unknown.
  Node* FindNode(uint64_t id);
  static uint64_t IdOf(const Node* node, const Node* root);
  uint64_t IdOf(const Node* node) const { return IdOf(node, root_.get()); }

  // The node's state for the current snapshot (re-resolved after a change). Keeps the snapshot alive in
  // `snap` for the duration of the request.
  std::shared_ptr<const NodeState> StateOf(Node& node, std::shared_ptr<const LayerSnapshot>& snap);

  // Looks `name` up in directory `parent`; on success returns the child node with its lookup count
  // incremented and its state. Errors are errno values (ENOENT, ENOTDIR, EIO).
  struct LookupResult {
    Node* node = nullptr;
    std::shared_ptr<const NodeState> state;
    int error = 0;
  };
  LookupResult Lookup(Node& parent, const std::string& name);
  void Forget(uint64_t id, uint64_t count);

  // Fills a struct stat from a node's state.
  static void FillStat(const NodeState& state, uint64_t fallback_ino, struct stat* st);

  // Applies a layer change and invalidates the kernel's caches for the paths it changed.
  Result<LayerChange> Add(const LayerSpec& spec);
  Result<LayerChange> Replace(const LayerSpec& spec);
  Result<LayerChange> Add(std::shared_ptr<const Layer> layer);
  Result<LayerChange> Replace(std::shared_ptr<const Layer> layer);
  Result<LayerChange> Remove(const std::string& name);
  void Invalidate(const std::vector<std::string>& paths);

  size_t NodeCount();

 private:
  std::shared_ptr<const NodeState> Resolve(Node& node, const LayerSnapshot& snap, int depth);

  LayerStack layers_;
  std::atomic<fuse_session*> session_{nullptr};
  std::unique_ptr<Node> root_;
  std::mutex table_mutex_;
  std::unordered_map<std::string, std::unique_ptr<Node>> by_path_;
  std::unordered_map<const Node*, std::unique_ptr<Node>> detached_;  // replaced by a node of another type
  std::atomic<uint64_t> next_generation_{1};
};

}  // namespace tern::guest
