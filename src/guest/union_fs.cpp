#define FUSE_USE_VERSION 314
#include "guest/union_fs.h"

#include <fuse_lowlevel.h>

#include <cerrno>
#include <set>

#include "guest/log.h"

namespace tern::guest {
namespace {

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

timespec FromNanos(int64_t ns) {
  return {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

}  // namespace

UnionFs::UnionFs() : root_(std::make_unique<Node>("", S_IFDIR, 0)) {
  root_->lookups() = 1;
}

uint64_t UnionFs::IdOf(const Node* node, const Node* root) {
  return node == root ? FUSE_ROOT_ID : reinterpret_cast<uint64_t>(node);
}

Node* UnionFs::FindNode(uint64_t id) {
  if (id == FUSE_ROOT_ID) return root_.get();
  return reinterpret_cast<Node*>(id);  // the kernel only passes ids we handed out and did not forget
}

std::shared_ptr<const NodeState> UnionFs::StateOf(Node& node, std::shared_ptr<const LayerSnapshot>& snap) {
  if (!snap) snap = layers_.Current();
  return Resolve(node, *snap, 0);
}

std::shared_ptr<const NodeState> UnionFs::Resolve(Node& node, const LayerSnapshot& snap, int depth) {
  std::shared_ptr<const NodeState> s = node.state();
  if (s && s->epoch == snap.epoch) return s;
  if (&node == root_.get()) {
    s = ResolveChild(snap, nullptr, "");
    node.set_state(s);
    return s;
  }
  // Resolve the parent first (its merged layers are where the child is looked for).
  Node* parent = nullptr;
  const std::string parent_path = ParentOf(node.path());
  if (parent_path.empty()) {
    parent = root_.get();
  } else {
    const std::lock_guard lock(table_mutex_);
    auto it = by_path_.find(parent_path);
    if (it != by_path_.end()) parent = it->second.get();
  }
  std::shared_ptr<const NodeState> ps;
  if (parent != nullptr && depth < 4096) {
    ps = Resolve(*parent, snap, depth + 1);
  } else {
    // The parent is not known (rare): walk from the root without caching.
    ps = ResolveChild(snap, nullptr, "");
    std::string prefix;
    size_t start = 0;
    while (start < parent_path.size() && ps->found) {
      const size_t slash = parent_path.find('/', start);
      const size_t end = slash == std::string::npos ? parent_path.size() : slash;
      ps = ResolveChild(snap, ps.get(), parent_path.substr(0, end));
      start = end + 1;
    }
  }
  if (!ps->found || ps->entry.kind != EntryKind::kDirectory) {
    auto missing = std::make_shared<NodeState>();
    missing->epoch = snap.epoch;
    s = missing;
  } else {
    s = ResolveChild(snap, ps.get(), node.path());
  }
  node.set_state(s);
  return s;
}

UnionFs::LookupResult UnionFs::Lookup(Node& parent, const std::string& name) {
  LookupResult out;
  std::shared_ptr<const LayerSnapshot> snap = layers_.Current();
  std::shared_ptr<const NodeState> ps = Resolve(parent, *snap, 0);
  if (!ps->found) {
    out.error = ENOENT;
    return out;
  }
  if (ps->entry.kind != EntryKind::kDirectory) {
    out.error = ENOTDIR;
    return out;
  }
  const std::string path = parent.path().empty() ? name : parent.path() + "/" + name;
  std::shared_ptr<const NodeState> cs = ResolveChild(*snap, ps.get(), path);
  if (!cs->found) {
    out.error = ENOENT;
    return out;
  }
  const uint32_t type = cs->entry.mode & S_IFMT;
  const std::lock_guard lock(table_mutex_);
  auto it = by_path_.find(path);
  if (it != by_path_.end() && it->second->type() != type) {
    // Same path, other type: the kernel must see a new inode. The old node lives until it is forgotten.
    Node* old = it->second.get();
    detached_.emplace(old, std::move(it->second));
    by_path_.erase(it);
    it = by_path_.end();
  }
  if (it == by_path_.end()) {
    it = by_path_.emplace(path, std::make_unique<Node>(path, type, next_generation_++)).first;
  }
  Node* node = it->second.get();
  node->set_state(cs);
  node->lookups().fetch_add(1);
  out.node = node;
  out.state = std::move(cs);
  return out;
}

void UnionFs::Forget(uint64_t id, uint64_t count) {
  if (id == FUSE_ROOT_ID) return;
  Node* node = FindNode(id);
  const std::lock_guard lock(table_mutex_);
  if (node->lookups().fetch_sub(count) != count) return;
  if (auto d = detached_.find(node); d != detached_.end()) {
    detached_.erase(d);
    return;
  }
  auto it = by_path_.find(node->path());
  if (it != by_path_.end() && it->second.get() == node) by_path_.erase(it);
}

void UnionFs::FillStat(const NodeState& state, uint64_t fallback_ino, struct stat* st) {
  *st = {};
  const EntrySummary& e = state.entry;
  st->st_ino = e.stat.ino != 0 ? e.stat.ino : fallback_ino;
  st->st_mode = e.mode;
  st->st_nlink = e.stat.nlink;
  st->st_uid = e.uid;
  st->st_gid = e.gid;
  st->st_rdev = e.stat.rdev;
  st->st_size = static_cast<off_t>(e.stat.size_real);
  st->st_blksize = e.stat.blksize;
  st->st_blocks = static_cast<blkcnt_t>(e.stat.blocks);
  st->st_atim = FromNanos(e.stat.atime_ns);
  st->st_mtim = FromNanos(e.stat.mtime_ns);
  st->st_ctim = FromNanos(e.stat.ctime_ns);
}

Result<LayerChange> UnionFs::Add(const LayerSpec& spec) {
  TERN_ASSIGN_OR_RETURN(auto layer, Layer::Open(spec));
  return Add(std::move(layer));
}

Result<LayerChange> UnionFs::Replace(const LayerSpec& spec) {
  TERN_ASSIGN_OR_RETURN(auto layer, Layer::Open(spec));
  return Replace(std::move(layer));
}

Result<LayerChange> UnionFs::Add(std::shared_ptr<const Layer> layer) {
  TERN_ASSIGN_OR_RETURN(LayerChange change, layers_.Add(std::move(layer)));
  Invalidate(change.changed_paths);
  return change;
}

Result<LayerChange> UnionFs::Replace(std::shared_ptr<const Layer> layer) {
  TERN_ASSIGN_OR_RETURN(LayerChange change, layers_.Replace(std::move(layer)));
  Invalidate(change.changed_paths);
  return change;
}

Result<LayerChange> UnionFs::Remove(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(LayerChange change, layers_.Remove(name));
  Invalidate(change.changed_paths);
  return change;
}

void UnionFs::Invalidate(const std::vector<std::string>& paths) {
  // Collect ids under the lock, notify without it (the kernel may send FORGETs meanwhile).
  std::vector<uint64_t> inodes;
  std::vector<std::pair<uint64_t, std::string>> entries;
  {
    const std::lock_guard lock(table_mutex_);
    std::set<uint64_t> dirs;
    auto id_of_path = [&](const std::string& p) -> uint64_t {
      if (p.empty()) return FUSE_ROOT_ID;
      auto it = by_path_.find(p);
      return it == by_path_.end() ? 0 : IdOf(it->second.get());
    };
    for (const std::string& p : paths) {
      if (const uint64_t id = id_of_path(p); id != 0) {
        if (id == FUSE_ROOT_ID) {
          root_->clear_state();
        } else {
          by_path_[p]->clear_state();
        }
        inodes.push_back(id);
      }
      if (p.empty()) continue;
      if (const uint64_t parent = id_of_path(ParentOf(p)); parent != 0) {
        entries.emplace_back(parent, BaseOf(p));
        if (dirs.insert(parent).second) inodes.push_back(parent);  // its listing changed
      }
    }
  }
  fuse_session* se = session_.load();
  if (se == nullptr) return;
  for (const auto& [parent, name] : entries) {
    const int rc = fuse_lowlevel_notify_inval_entry(se, parent, name.c_str(), name.size());
    if (rc != 0 && rc != -ENOENT) LogWarn("invalidate entry '" + name + "': " + std::to_string(rc));
  }
  for (const uint64_t id : inodes) {
    const int rc = fuse_lowlevel_notify_inval_inode(se, id, 0, 0);
    if (rc != 0 && rc != -ENOENT)
      LogWarn("invalidate inode " + std::to_string(id) + ": " + std::to_string(rc));
  }
}

size_t UnionFs::NodeCount() {
  const std::lock_guard lock(table_mutex_);
  return by_path_.size() + detached_.size() + 1;
}

}  // namespace tern::guest
