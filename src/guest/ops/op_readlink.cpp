#include <array>

#include "guest/ops/ops.h"

namespace tern::guest::ops {

// The symlink target from the winning layer (cached by the kernel: FUSE_CAP_CACHE_SYMLINKS).
void Readlink(fuse_req_t req, fuse_ino_t ino) {
  UnionFs& fs = Fs(req);
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found || !s->winner || !S_ISLNK(s->entry.mode)) {
    fuse_reply_err(req, s->found ? EINVAL : ENOENT);
    return;
  }
  if (s->winner->snapshot()) {
    const std::string* target = s->winner->Content(node->path());
    if (target == nullptr) {
      fuse_reply_err(req, EIO);
      return;
    }
    fuse_reply_readlink(req, target->c_str());
    return;
  }
  std::array<char, 4097> target{};
  const ssize_t n =
      ::readlinkat(s->winner->root_fd(), node->path().c_str(), target.data(), target.size() - 1);
  if (n < 0) {
    fuse_reply_err(req, EIO);
    return;
  }
  target[static_cast<size_t>(n)] = '\0';
  fuse_reply_readlink(req, target.data());
}

}  // namespace tern::guest::ops
