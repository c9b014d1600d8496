// LoopDevice: a read-only loop block device over an open file or device, detached by the kernel once nothing
// uses it any more (autoclear). The agent mounts each disc through its own loop device so that the disc gets
// a superblock of its own: mounting /dev/srN directly would reuse a superblock still held by another mount of
// the previous disc (the kernel matches superblocks by block device), and show the old disc's files.
#pragma once

#include <string>

#include "core/result.h"
#include "guest/unique_fd.h"

namespace tern::guest {

class LoopDevice {
 public:
  // Attaches a free loop device (via /dev/loop-control) to `backing_fd`, read-only with autoclear.
  static Result<LoopDevice> Attach(int backing_fd, const std::string& what);
  const std::string& path() const { return path_; }
  // Closing our descriptor leaves the device to its users (a mount); with autoclear it goes with the last.
  void Release() { fd_.Reset(); }

 private:
  std::string path_;
  UniqueFd fd_;
};

}  // namespace tern::guest
