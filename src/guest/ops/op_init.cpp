#include "guest/ops/ops.h"

namespace tern::guest::ops {

// Negotiates the kernel caching the union relies on: symlink targets cached, page cache dropped only on
// explicit invalidation, open/opendir skipped (Open and Opendir reply ENOSYS), large reads, READDIRPLUS when
// a listing is filled (the kernel then knows the children without a LOOKUP each).
void Init(void* /*userdata*/, fuse_conn_info* conn) {
  auto want = [conn](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  want(FUSE_CAP_CACHE_SYMLINKS);
  want(FUSE_CAP_EXPLICIT_INVAL_DATA);
  want(FUSE_CAP_NO_OPEN_SUPPORT);
  want(FUSE_CAP_NO_OPENDIR_SUPPORT);
  want(FUSE_CAP_SPLICE_READ);
  want(FUSE_CAP_SPLICE_MOVE);
  want(FUSE_CAP_ASYNC_READ);
  want(FUSE_CAP_READDIRPLUS);
  want(FUSE_CAP_READDIRPLUS_AUTO);
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_AUTO_INVAL_DATA);
  conn->max_readahead = 1U << 20;
}

}  // namespace tern::guest::ops
