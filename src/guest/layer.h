// One layer of the union: a directory tree with a name (its context class), a priority and a generation,
// summarized (manifest) when it joins. A directory layer keeps its root open and reads files from it; a
// snapshot layer (removable media) keeps every file's bytes in memory instead, so that a disc changed under
// its mount can never feed the union bytes of another disc.
#pragma once

#include <sys/statvfs.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "guest/manifest.h"
#include "guest/unique_fd.h"

namespace tern::guest {

// The most a snapshot layer keeps in memory (a context class is at most 64 MiB, see docs/manifest.md).
inline constexpr uint64_t kMaxSnapshotBytes = 64ULL << 20;

struct LayerSpec {
  std::string name;  // unique in the union (the class of a context layer)
  std::string dir;   // the directory whose tree the layer contributes
  int priority = 0;  // higher wins
  uint64_t generation = 0;
  bool snapshot = false;  // keep contents in memory and close the directory once scanned
};

class Layer {
 public:
  // Opens spec.dir and scans it. Errors name the layer and the directory.
  static Result<std::shared_ptr<const Layer>> Open(const LayerSpec& spec);

  const LayerSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  bool snapshot() const { return spec_.snapshot; }
  // The open root directory (-1 for a snapshot layer).
  int root_fd() const { return root_.get(); }
  const Manifest& manifest() const { return manifest_; }
  // The entries of directory `path` in this layer (unsorted; empty when it is not a directory here).
  const std::vector<ListingEntry>& Children(const std::string& path) const;
  // The entry at `path`, or null.
  const EntrySummary* Find(std::string_view path) const {
    auto it = index_.find(path);
    return it == index_.end() ? nullptr : it->second;
  }
  // Snapshot layers: the bytes of a regular file or the target of a link at `path`, or null.
  const std::string* Content(const std::string& path) const {
    auto it = contents_.find(path);
    return it == contents_.end() ? nullptr : &it->second;
  }
  // The whole content of the regular file at `path` (from memory or from the directory).
  Result<std::string> ReadWholeFile(const std::string& path) const;
  // File system statistics: live for a directory layer, as scanned for a snapshot layer.
  Result<struct statvfs> FsStats() const;

  // Set once the layer has left the union: reads through it fail with EIO from then on.
  bool gone() const { return gone_.load(std::memory_order_acquire); }
  void MarkGone() const { gone_.store(true, std::memory_order_release); }

 private:
  Layer() = default;
  LayerSpec spec_;
  UniqueFd root_;
  Manifest manifest_;
  std::unordered_map<std::string_view, const EntrySummary*> index_;  // keys point into manifest_
  std::unordered_map<std::string, std::vector<ListingEntry>> children_;
  LayerContents contents_;
  struct statvfs stats_ {};
  mutable std::atomic<bool> gone_{false};
};

// Parses "DIR:PRIORITY" (the name defaults to the directory's last component). Errors name the argument.
Result<LayerSpec> ParseLayerArgument(const std::string& arg);

}  // namespace tern::guest
