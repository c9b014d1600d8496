#include <sys/xattr.h>

#include <cstring>
#include <string>
#include <vector>

#include "guest/ops/ops.h"

namespace tern::guest::ops {
namespace {

// overlayfs' own attributes (e.g. trusted.overlay.opaque) describe the layer, not the view: hidden.
bool Hidden(const char* name) {
  return std::strncmp(name, "trusted.overlay.", 16) == 0;
}

// The winning layer's path of the node as a /proc/self/fd-relative name, or "" (root of an empty union).
std::string RealPath(UnionFs& fs, fuse_ino_t ino, int* error) {
  Node* node = fs.FindNode(ino);
  std::shared_ptr<const LayerSnapshot> snap;
  std::shared_ptr<const NodeState> s = fs.StateOf(*node, snap);
  if (!s->found) {
    *error = ENOENT;
    return {};
  }
  if (!s->winner || s->winner->root_fd() < 0) return {};  // empty union, or a snapshot layer (no xattrs)
  std::string p = "/proc/self/fd/" + std::to_string(s->winner->root_fd());
  if (!node->path().empty()) p += "/" + node->path();
  return p;
}

}  // namespace

void Getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  int error = 0;
  const std::string path = RealPath(Fs(req), ino, &error);
  if (error != 0 || path.empty() || Hidden(name)) {
    fuse_reply_err(req, error != 0 ? error : ENODATA);
    return;
  }
  std::vector<char> value(size);
  const ssize_t n = ::lgetxattr(path.c_str(), name, size ? value.data() : nullptr, size);
  if (n < 0) {
    fuse_reply_err(req, errno);
  } else if (size == 0) {
    fuse_reply_xattr(req, static_cast<size_t>(n));
  } else {
    fuse_reply_buf(req, value.data(), static_cast<size_t>(n));
  }
}

void Listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  int error = 0;
  const std::string path = RealPath(Fs(req), ino, &error);
  if (error != 0) {
    fuse_reply_err(req, error);
    return;
  }
  std::string names;
  if (!path.empty()) {
    const ssize_t want = ::llistxattr(path.c_str(), nullptr, 0);
    if (want > 0) {
      std::vector<char> raw(static_cast<size_t>(want));
      const ssize_t n = ::llistxattr(path.c_str(), raw.data(), raw.size());
      for (ssize_t i = 0; i < n;) {
        const char* name = raw.data() + i;
        const size_t len = std::strlen(name);
        if (!Hidden(name)) names.append(name, len + 1);
        i += static_cast<ssize_t>(len) + 1;
      }
    }
  }
  if (size == 0) {
    fuse_reply_xattr(req, names.size());
  } else if (names.size() > size) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, names.data(), names.size());
  }
}

}  // namespace tern::guest::ops
