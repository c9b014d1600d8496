#include "guest/ops/ops.h"

namespace tern::guest::ops {

// Attributes of the winning layer's entry. EIO when the node's path left the union or now names something of
// another type: the kernel only asks about a node it still holds (an open file, a working directory), and
// that node is stale.
void Getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
  UnionFs& fs = Fs(req);
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found || (s->entry.mode & S_IFMT) != node->type()) {
    fuse_reply_err(req, EIO);
    return;
  }
  struct stat st {};
  UnionFs::FillStat(*s, ino, &st);
  fuse_reply_attr(req, &st, kCacheTimeoutSeconds);
}

}  // namespace tern::guest::ops
