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

}  // namespace tern::guest::ops
