#include <sys/statvfs.h>

#include "guest/ops/ops.h"

namespace tern::guest::ops {

// The statistics of the highest-priority layer's file system (all zero for an empty union).
void Statfs(fuse_req_t req, fuse_ino_t /*ino*/) {
  UnionFs& fs = Fs(req);
  std::shared_ptr<const LayerSnapshot> snap = fs.layers().Current();
  struct statvfs st {};
  if (!snap->layers.empty()) {
    Result<struct statvfs> top = snap->layers.front()->FsStats();
    if (!top.ok()) {
      fuse_reply_err(req, EIO);
      return;
    }
    st = *top;
  }
  st.f_namemax = 255;
  st.f_flag |= ST_RDONLY;
  fuse_reply_statfs(req, &st);
}

}  // namespace tern::guest::ops
