#include <algorithm>

#include "guest/ops/ops.h"

namespace tern::guest::ops {

// Reads from the winning layer's file (spliced when the kernel allows), or from its memory for a snapshot
// layer. A node whose path no longer names a file of the same type (its layer left, or was replaced by one
// without it) gets EIO.
void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* /*fi*/) {
  UnionFs& fs = Fs(req);
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found || (s->entry.mode & S_IFMT) != node->type() || !s->winner || s->winner->gone()) {
    fuse_reply_err(req, EIO);
    return;
  }
  if (!S_ISREG(s->entry.mode)) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  if (s->winner->snapshot()) {
    const std::string* bytes = s->winner->Content(node->path());
    if (bytes == nullptr) {
      fuse_reply_err(req, EIO);
      return;
    }
    const size_t from = std::min(bytes->size(), static_cast<size_t>(off));
    fuse_reply_buf(req, bytes->data() + from, std::min(size, bytes->size() - from));
    return;
  }
  const int fd = s->ReadFd(node->path());
  if (fd < 0) {
    fuse_reply_err(req, fd == -ENOENT ? EIO : -fd);
    return;
  }
  fuse_bufvec buf{};
  buf.count = 1;
  buf.buf[0].size = size;
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = fd;
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

}  // namespace tern::guest::ops
