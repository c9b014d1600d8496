#include "guest/node.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

namespace tern::guest {

int NodeState::ReadFd(const std::string& path) const {
  const std::lock_guard lock(cache_mutex_);
  if (fd_.valid()) return fd_.get();
  if (!winner) return -EIO;
  const int fd = ::openat(winner->root_fd(), path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -errno;
  fd_.Reset(fd);
  return fd;
}

std::shared_ptr<const std::vector<ListingEntry>> NodeState::Listing(const std::string& path) const {
  const std::lock_guard lock(cache_mutex_);
  if (listing_) return listing_;
  std::vector<std::vector<ListingEntry>> per_layer;
  per_layer.reserve(merged.size());
  for (const auto& layer : merged) per_layer.push_back(layer->Children(path));
  listing_ = std::make_shared<const std::vector<ListingEntry>>(MergeListings(per_layer));
  return listing_;
}

std::shared_ptr<const NodeState> ResolveChild(const LayerSnapshot& snap, const NodeState* parent,
                                              const std::string& path) {
  auto state = std::make_shared<NodeState>();
  state->epoch = snap.epoch;
  const std::vector<std::shared_ptr<const Layer>>& candidates = parent ? parent->merged : snap.layers;
  // Scratch space reused by each request thread: a lookup allocates only what it keeps.
  thread_local std::vector<LayerProbe> probes;
  thread_local std::vector<const EntrySummary*> entries;
  probes.clear();
  entries.clear();
  for (const auto& layer : candidates) {
    const EntrySummary* e = layer->Find(path);
    entries.push_back(e);
    probes.push_back(e ? LayerProbe{e->kind, e->opaque} : LayerProbe{});
  }
  const PathResolution r = ResolvePath(probes);
  if (!r.found()) {
    if (parent == nullptr) {  // the root of an empty union: an empty directory
      state->found = true;
      state->entry.kind = EntryKind::kDirectory;
      state->entry.mode = S_IFDIR | 0755;
      state->entry.stat.nlink = 2;
      state->entry.stat.ino = 1;
    }
    return state;
  }
  state->found = true;
  state->winner = candidates[static_cast<size_t>(r.winner)];
  state->entry = *entries[static_cast<size_t>(r.winner)];
  for (const int i : r.merged) state->merged.push_back(candidates[static_cast<size_t>(i)]);
  return state;
}

}  // namespace tern::guest
