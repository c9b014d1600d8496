// One layer of the union: a directory tree with a name (its context class), a priority and a generation,
// opened once (root descriptor) and summarized (manifest) when it joins.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "guest/manifest.h"
#include "guest/unique_fd.h"

namespace tern::guest {

struct LayerSpec {
  std::string name;  // unique in the union (the class of a context layer)
  std::string dir;   // the directory whose tree the layer contributes
  int priority = 0;  // higher wins
  uint64_t generation = 0;
};

class Layer {
 public:
  // Opens spec.dir and scans it. Errors name the layer and the directory.
  static Result<std::shared_ptr<const Layer>> Open(const LayerSpec& spec);

  const LayerSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  int root_fd() const { return root_.get(); }
  const Manifest& manifest() const { return manifest_; }
  // The entries of directory `path` in this layer (unsorted; empty when it is not a directory here).
  const std::vector<ListingEntry>& Children(const std::string& path) const;
  // The entry at `path`, or null.
  const EntrySummary* Find(const std::string& path) const {
    auto it = manifest_.find(path);
    return it == manifest_.end() ? nullptr : &it->second;
  }
  // Set once the layer has left the union: reads through it fail with EIO from then on.
  bool gone() const { return gone_.load(std::memory_order_acquire); }
  void MarkGone() const { gone_.store(true, std::memory_order_release); }

 private:
  Layer() = default;
  LayerSpec spec_;
  UniqueFd root_;
  Manifest manifest_;
  std::unordered_map<std::string, std::vector<ListingEntry>> children_;
  mutable std::atomic<bool> gone_{false};
};

// Parses "DIR:PRIORITY" (the name defaults to the directory's last component). Errors name the argument.
Result<LayerSpec> ParseLayerArgument(const std::string& arg);

}  // namespace tern::guest
