#include "guest/ops/ops.h"

namespace tern::guest::ops {

// Resolves a name in a directory against the current layers. Negative answers are cached by the kernel too
// (ino 0 with a timeout); a layer change that adds the name invalidates them.
void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  UnionFs& fs = Fs(req);
  Node* p = fs.FindNode(parent);
  UnionFs::LookupResult r = fs.Lookup(*p, name);
  fuse_entry_param e{};
  e.entry_timeout = kCacheTimeoutSeconds;
  e.attr_timeout = kCacheTimeoutSeconds;
  if (r.error == ENOENT) {
    fuse_reply_entry(req, &e);
    return;
  }
  if (r.error != 0) {
    fuse_reply_err(req, r.error);
    return;
  }
  e.ino = fs.IdOf(r.node);
  e.generation = r.node->generation();
  UnionFs::FillStat(*r.state, e.ino, &e.attr);
  if (fuse_reply_entry(req, &e) != 0) fs.Forget(e.ino, 1);
}

}  // namespace tern::guest::ops
