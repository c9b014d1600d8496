// MediaAgent: runs the MediaWatcher over the machine's real CD-ROM drives on a thread of its own — a scan
// every poll interval, and at once when the kernel reports a CD-ROM event.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "guest/drive_source.h"
#include "guest/iso_disc_loader.h"
#include "guest/media_watcher.h"
#include "guest/uevent_listener.h"

namespace tern::guest {

struct MediaAgentOptions {
  std::string layers_dir = "/run/tern/layers";
  std::string sys_block = "/sys/block";
  std::string dev_dir = "/dev";
  std::chrono::milliseconds poll{200};
  MediaWatcherOptions watcher;
};

class MediaAgent {
 public:
  MediaAgent(LayerSink& sink, const MediaAgentOptions& options);
  MediaAgent(const MediaAgent&) = delete;
  MediaAgent& operator=(const MediaAgent&) = delete;
  ~MediaAgent();

 private:
  void Run();
  MediaAgentOptions options_;
  SysDriveSource drives_;
  IsoDiscLoader loader_;
  std::unique_ptr<MediaWatcher> watcher_;
  UeventListener uevents_;
  UniqueFd wake_;  // eventfd: stops the thread
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tern::guest
