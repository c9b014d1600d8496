#include "guest/ops/ops.h"

namespace tern::guest::ops {

// The kernel dropped its references to a node: drop ours once the lookup count reaches zero.
void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Fs(req).Forget(ino, nlookup);
  fuse_reply_none(req);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  UnionFs& fs = Fs(req);
  for (size_t i = 0; i < count; ++i) fs.Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

}  // namespace tern::guest::ops
