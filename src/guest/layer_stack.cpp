#include "guest/layer_stack.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace tern::guest {

std::vector<const Manifest*> LayerSnapshot::Manifests() const {
  std::vector<const Manifest*> out;
  out.reserve(layers.size());
  for (const auto& l : layers) out.push_back(&l->manifest());
  return out;
}

std::string_view LayerChangeKindName(LayerChangeKind kind) {
  switch (kind) {
    case LayerChangeKind::kAdd:
      return "add";
    case LayerChangeKind::kReplace:
      return "replace";
    case LayerChangeKind::kRemove:
      return "remove";
  }
  return "?";
}

LayerStack::LayerStack() : current_(std::make_shared<const LayerSnapshot>()) {}

std::shared_ptr<const LayerSnapshot> LayerStack::Current() const {
  const std::lock_guard lock(current_mutex_);
  return current_;
}

Result<LayerChange> LayerStack::Add(std::shared_ptr<const Layer> layer) {
  const std::string name = layer->name();
  return Apply(LayerChangeKind::kAdd, name, std::move(layer));
}

Result<LayerChange> LayerStack::Replace(std::shared_ptr<const Layer> layer) {
  const std::string name = layer->name();
  return Apply(LayerChangeKind::kReplace, name, std::move(layer));
}

Result<LayerChange> LayerStack::Remove(const std::string& name) {
  return Apply(LayerChangeKind::kRemove, name, {});
}

Result<LayerChange> LayerStack::Apply(LayerChangeKind kind, const std::string& name,
                                      std::shared_ptr<const Layer> layer) {
  const std::lock_guard serial(change_mutex_);
  std::shared_ptr<const LayerSnapshot> old = Current();
  auto next = std::make_shared<LayerSnapshot>();
  next->epoch = old->epoch + 1;
  LayerChange change;
  change.kind = kind;
  change.name = name;
  for (const auto& l : old->layers) {
    if (l->name() == name) {
      change.before = l;
    } else {
      next->layers.push_back(l);
    }
  }
  if (kind == LayerChangeKind::kAdd && change.before) {
    return Status::AlreadyExists("layer '" + name + "' is already in the union");
  }
  if (kind != LayerChangeKind::kAdd && !change.before) {
    return Status::NotFound("layer '" + name + "' is not in the union");
  }
  if (layer) {
    next->layers.push_back(layer);
    change.after = layer;
  }
  std::stable_sort(next->layers.begin(), next->layers.end(), [](const auto& a, const auto& b) {
    if (a->spec().priority != b->spec().priority) return a->spec().priority > b->spec().priority;
    return a->name() < b->name();
  });
  std::vector<std::string> candidates;
  if (change.before && change.after) {
    candidates = DiffManifests(change.before->manifest(), change.after->manifest());
  } else {
    const Manifest empty;
    candidates = DiffManifests(empty, (change.before ? change.before : change.after)->manifest());
  }
  if (change.before && change.after && change.before->spec().priority != change.after->spec().priority) {
    // A priority change can alter the winner of every path either version holds.
    std::vector<std::string> all;
    for (const auto& [p, s] : change.before->manifest()) all.push_back(p);
    for (const auto& [p, s] : change.after->manifest()) all.push_back(p);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    candidates = std::move(all);
  }
  std::vector<const Manifest*> all = old->Manifests();
  if (change.after) all.push_back(&change.after->manifest());
  candidates = ExpandBelowDirectories(candidates, change.before ? &change.before->manifest() : nullptr,
                                      change.after ? &change.after->manifest() : nullptr, all);
  change.changed_paths = VisibleChanges(old->Manifests(), next->Manifests(), candidates);
  {
    const std::lock_guard lock(current_mutex_);
    current_ = next;
  }
  // Wait until requests that took the old snapshot have replied, so that invalidations issued after this
  // call cannot be overtaken by a reply computed from the old layers.
  const std::weak_ptr<const LayerSnapshot> watch = old;
  old.reset();
  auto delay = std::chrono::microseconds(20);
  while (!watch.expired()) {
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::microseconds(2000));
  }
  if (change.before) change.before->MarkGone();
  return change;
}

}  // namespace tern::guest
