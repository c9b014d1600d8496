// The union's copy-on-write list of layers: readers take an immutable snapshot without blocking; a change
// builds a new list, swaps it in and waits until no request still uses the old one.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "guest/layer.h"

namespace tern::guest {

// An immutable list of layers, highest priority first (ties: by name).
struct LayerSnapshot {
  uint64_t epoch = 0;
  std::vector<std::shared_ptr<const Layer>> layers;
  std::vector<const Manifest*> Manifests() const;
};

enum class LayerChangeKind { kAdd, kReplace, kRemove };

// What a change did: kind, the layer before/after, and the paths whose union view changed.
struct LayerChange {
  LayerChangeKind kind = LayerChangeKind::kAdd;
  std::string name;
  std::shared_ptr<const Layer> before;  // null for kAdd
  std::shared_ptr<const Layer> after;   // null for kRemove
  std::vector<std::string> changed_paths;
};

std::string_view LayerChangeKindName(LayerChangeKind kind);

class LayerStack {
 public:
  LayerStack();
  std::shared_ptr<const LayerSnapshot> Current() const;

  // Each returns once no request uses the previous snapshot. Errors: AlreadyExists (add of a known name),
  // NotFound (replace/remove of an unknown name).
  Result<LayerChange> Add(std::shared_ptr<const Layer> layer);
  Result<LayerChange> Replace(std::shared_ptr<const Layer> layer);
  Result<LayerChange> Remove(const std::string& name);

 private:
  Result<LayerChange> Apply(LayerChangeKind kind, const std::string& name,
                            std::shared_ptr<const Layer> layer);
  std::mutex change_mutex_;  // serializes changes
  mutable std::mutex current_mutex_;
  std::shared_ptr<const LayerSnapshot> current_;
};

}  // namespace tern::guest
