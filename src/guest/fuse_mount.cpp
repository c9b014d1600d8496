#define FUSE_USE_VERSION 314
#include "guest/fuse_mount.h"

#include <fuse_lowlevel.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "guest/log.h"
#include "guest/ops/ops.h"

namespace tern::guest {
namespace {

struct LoopConfigDeleter {
  void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

}  // namespace

void FuseMount::SessionDeleter::operator()(fuse_session* se) const {
  fuse_session_destroy(se);
}

Result<std::unique_ptr<FuseMount>> FuseMount::Start(UnionFs& fs, const std::string& mountpoint) {
  if (::mkdir(mountpoint.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IoError("mount point '" + mountpoint + "': cannot create: " + std::strerror(errno));
  }
  std::vector<std::string> argv_s = {"tern-guest", "-o",
                                     "ro,default_permissions,allow_other,fsname=tern-context,subtype=tern"};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  auto m = std::unique_ptr<FuseMount>(new FuseMount());  // private constructor
  m->fs_ = &fs;
  m->mountpoint_ = mountpoint;
  const fuse_lowlevel_ops& ops = ops::UnionOps();
  m->session_.reset(fuse_session_new(&args, &ops, sizeof ops, &fs));
  fuse_opt_free_args(&args);
  if (!m->session_) return Status::Internal("mount '" + mountpoint + "': fuse_session_new failed");
  if (fuse_session_mount(m->session_.get(), mountpoint.c_str()) != 0) {
    return Status::IoError("mount '" + mountpoint + "': fuse_session_mount failed (is /dev/fuse there?)");
  }
  m->mounted_ = true;
  fs.set_session(m->session_.get());
  fuse_session* se = m->session_.get();
  m->loop_ = std::thread([se, mountpoint] {
    std::unique_ptr<fuse_loop_config, LoopConfigDeleter> cfg(fuse_loop_cfg_create());
    fuse_loop_cfg_set_clone_fd(cfg.get(), 1);
    fuse_loop_cfg_set_idle_threads(cfg.get(), 4);
    fuse_loop_cfg_set_max_threads(cfg.get(), 16);
    const int rc = fuse_session_loop_mt(se, cfg.get());
    if (rc != 0) LogWarn("mount '" + mountpoint + "': FUSE loop ended with " + std::to_string(rc));
  });
  return m;
}

FuseMount::~FuseMount() {
  if (fs_ != nullptr) fs_->set_session(nullptr);
  if (session_) {
    fuse_session_exit(session_.get());
    if (mounted_) fuse_session_unmount(session_.get());
  }
  if (loop_.joinable()) loop_.join();
}

}  // namespace tern::guest
