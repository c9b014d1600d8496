#include "guest/ops/ops.h"

namespace tern::guest::ops {

const fuse_lowlevel_ops& UnionOps() {
  static const fuse_lowlevel_ops table = [] {
    fuse_lowlevel_ops t{};
    t.init = Init;
    t.lookup = Lookup;
    t.forget = Forget;
    t.forget_multi = ForgetMulti;
    t.getattr = Getattr;
    t.open = Open;
    t.opendir = Opendir;
    t.read = Read;
    t.readlink = Readlink;
    t.readdir = Readdir;
    t.readdirplus = Readdirplus;
    t.statfs = Statfs;
    t.getxattr = Getxattr;
    t.listxattr = Listxattr;
    AddRefusals(t);
    return t;
  }();
  return table;
}

}  // namespace tern::guest::ops
