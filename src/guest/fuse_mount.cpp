#define FUSE_USE_VERSION 314
#include "guest/fuse_mount.h"

#include <fuse_lowlevel.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "guest/log.h"
#include "guest/ops/ops.h"

namespace tern::guest {
namespace {

// How many threads serve requests: a fixed few. libfuse's own multi-threaded loop starts and ends threads as
// the number of idle ones crosses a limit, which in a stream of quick requests (a cold tree walk, one lookup
// after another) happened often enough to double the CPU time per request (measured: ~11 us per LOOKUP in
// the daemon with idle 4, ~100 us with idle 1, ~5-6 us with one or two fixed workers). Requests wake the
// waiting threads in turn, so more threads also means colder caches per request; two keep one free while the
// other waits for a directory layer's disk.
constexpr int kWorkers = 2;

// One worker: takes the next request off the session and answers it, until the session ends (unmounted).
void Serve(fuse_session* se, const std::string& mountpoint) {
  fuse_buf buf{};
  while (!fuse_session_exited(se)) {
    const int rc = fuse_session_receive_buf(se, &buf);
    if (rc == -EINTR) continue;
    if (rc <= 0) {
      if (rc < 0 && rc != -ENODEV)
        LogWarn("mount '" + mountpoint + "': reading a request: " + std::strerror(-rc));
      break;
    }
    fuse_session_process_buf(se, &buf);
  }
  std::free(buf.mem);
  fuse_session_exit(se);  // the others stop too (each wakes when the connection ends)
}

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
  for (int i = 0; i < kWorkers; ++i) m->workers_.emplace_back([se, mountpoint] { Serve(se, mountpoint); });
  return m;
}

FuseMount::~FuseMount() {
  if (fs_ != nullptr) fs_->set_session(nullptr);
  if (session_) {
    fuse_session_exit(session_.get());
    if (mounted_) fuse_session_unmount(session_.get());
  }
  for (auto& t : workers_) t.join();
}

}  // namespace tern::guest
