#include "guest/ops/ops.h"

namespace tern::guest::ops {

// ENOSYS tells the kernel (FUSE_NO_OPEN_SUPPORT / FUSE_NO_OPENDIR_SUPPORT) to stop sending OPEN and OPENDIR:
// opens cost no round trip, the page cache is kept across opens and directory listings are cached. Access
// checks are the kernel's (default_permissions, read-only mount); reads resolve the node themselves.
void Open(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* /*fi*/) {
  fuse_reply_err(req, ENOSYS);
}

void Opendir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* /*fi*/) {
  fuse_reply_err(req, ENOSYS);
}

}  // namespace tern::guest::ops
