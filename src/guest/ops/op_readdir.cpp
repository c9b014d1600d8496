#include <vector>

#include "guest/ops/ops.h"

namespace tern::guest::ops {

// The merged listing of a directory: ".", "..", then each visible name once. Offsets are indexes into the
// listing of the node's current state (the kernel caches the whole listing: FOPEN_CACHE_DIR).
void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* /*fi*/) {
  UnionFs& fs = Fs(req);
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (s->entry.kind != EntryKind::kDirectory) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  std::shared_ptr<const std::vector<ListingEntry>> listing = s->Listing(node->path());
  std::vector<char> buf(size);
  size_t used = 0;
  const size_t total = listing->size() + 2;
  for (size_t i = static_cast<size_t>(off); i < total; ++i) {
    struct stat st {};
    const char* name = nullptr;
    if (i < 2) {
      name = i == 0 ? "." : "..";
      st.st_mode = S_IFDIR;
      st.st_ino = i == 0 ? ino : 1;
    } else {
      const ListingEntry& e = (*listing)[i - 2];
      name = e.name.c_str();
      st.st_mode = e.type;
      st.st_ino = e.ino;
    }
    const size_t n =
        fuse_add_direntry(req, buf.data() + used, size - used, name, &st, static_cast<off_t>(i + 1));
    if (n > size - used) break;
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

// Readdir with each child's entry and attributes (resolved and counted as a lookup, like LOOKUP), so that a
// tree walk needs no LOOKUP per name. "." and ".." carry no entry (node id 0: the kernel skips them).
void Readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* /*fi*/) {
  UnionFs& fs = Fs(req);
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (s->entry.kind != EntryKind::kDirectory) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  std::shared_ptr<const std::vector<ListingEntry>> listing = s->Listing(node->path());
  std::vector<char> buf(size);
  std::vector<uint64_t> counted;  // node ids whose lookup count this reply raised
  size_t used = 0;
  const size_t total = listing->size() + 2;
  for (size_t i = static_cast<size_t>(off); i < total; ++i) {
    fuse_entry_param e{};
    const char* name = nullptr;
    if (i < 2) {
      name = i == 0 ? "." : "..";
      e.attr.st_mode = S_IFDIR;
      e.attr.st_ino = i == 0 ? ino : 1;
    } else {
      const ListingEntry& entry = (*listing)[i - 2];
      name = entry.name.c_str();
      if (fuse_add_direntry_plus(req, nullptr, 0, name, nullptr, 0) > size - used) break;
      UnionFs::LookupResult r = fs.Lookup(*node, entry.name);
      if (r.error != 0) {  // gone meanwhile: list the name without an entry
        e.attr.st_mode = entry.type;
        e.attr.st_ino = entry.ino;
      } else {
        e.ino = fs.IdOf(r.node);
        e.generation = r.node->generation();
        e.entry_timeout = kCacheTimeoutSeconds;
        e.attr_timeout = kCacheTimeoutSeconds;
        UnionFs::FillStat(*r.state, e.ino, &e.attr);
        counted.push_back(e.ino);
      }
    }
    const size_t n =
        fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, static_cast<off_t>(i + 1));
    if (n > size - used) break;
    used += n;
  }
  if (fuse_reply_buf(req, buf.data(), used) != 0) {
    for (const uint64_t id : counted) fs.Forget(id, 1);  // the kernel never saw these entries
  }
}

}  // namespace tern::guest::ops
