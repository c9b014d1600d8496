// MediaWatcher: polls the CD-ROM drives (/dev/srN; opening a drive makes the kernel check for a media
// change), mounts each tern layer image read-only under LAYERS_DIR/<class> and adds, replaces or removes
// that layer in the union. Foreign or corrupt discs and class conflicts are logged and skipped.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "guest/service.h"

namespace tern::guest {

struct MediaWatcherOptions {
  std::string layers_dir = "/run/tern/layers";
  std::string sys_block = "/sys/block";
  std::string dev_dir = "/dev";
  std::chrono::milliseconds poll{200};
  // A drive must stay empty this long before its layer is removed (QEMU's IDE CD-ROM reports "no medium" for
  // a moment while media is changed).
  std::chrono::milliseconds eject_grace{1000};
};

class MediaWatcher {
 public:
  MediaWatcher(GuestService& service, MediaWatcherOptions options);
  MediaWatcher(const MediaWatcher&) = delete;
  MediaWatcher& operator=(const MediaWatcher&) = delete;
  ~MediaWatcher();

  // One scan of every drive (the thread calls it every poll interval).
  void ScanOnce();

 private:
  struct Drive {
    uint64_t digest = 0;  // 0: no media
    std::string layer;    // the class this drive's disc provides, or ""
    std::string mount;    // where that disc is mounted
    std::chrono::steady_clock::time_point empty_since{};
    bool empty_pending = false;
  };
  void MediaChanged(const std::string& dev, Drive& drive, uint64_t digest);
  void DropLayer(const std::string& dev, Drive& drive);

  GuestService& service_;
  MediaWatcherOptions options_;
  std::map<std::string, Drive> drives_;
  uint64_t staging_counter_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Digest of a disc's primary volume descriptor (sector 16), or 0 when the drive has no readable media.
uint64_t ReadMediaDigest(const std::string& device);

}  // namespace tern::guest
