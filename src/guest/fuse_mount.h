// FuseMount: a mounted union (RAII over fuse_session: created, mounted and served by a fixed set of worker
// threads on construction; unmounted and destroyed on destruction).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "guest/union_fs.h"

struct fuse_session;

namespace tern::guest {

class FuseMount {
 public:
  // Mounts `fs` read-only at `mountpoint` (created if missing) and serves it from background threads.
  static Result<std::unique_ptr<FuseMount>> Start(UnionFs& fs, const std::string& mountpoint);
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;
  ~FuseMount();

  const std::string& mountpoint() const { return mountpoint_; }

 private:
  struct SessionDeleter {
    void operator()(fuse_session* se) const;
  };
  FuseMount() = default;
  UnionFs* fs_ = nullptr;
  std::string mountpoint_;
  std::unique_ptr<fuse_session, SessionDeleter> session_;
  bool mounted_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tern::guest
