// MediaWatcher: the decisions of the agent's media handling, driven one scan at a time. A scan reads every
// drive (DriveSource); a new disc is mounted and checked (DiscLoader), snapshotted into a layer and added to,
// or replaced in, the union (LayerSink); an ejected, unreadable or unplugged disc's layer is removed. Bad
// input (a corrupt or foreign disc, a second disc claiming a class already present, an unreadable drive) is
// logged once and leaves the union consistent. No threads and no clock of its own: MediaAgent runs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "guest/disc_loader.h"
#include "guest/drive_source.h"
#include "guest/layer_sink.h"

namespace tern::guest {

struct MediaWatcherOptions {
  // A drive must stay empty (or unreadable) this long before its layer is removed: QEMU's IDE CD-ROM reports
  // "no medium" for a moment while media is changed, and a swap is an eject followed by an insert.
  std::chrono::milliseconds eject_grace{1000};
};

class MediaWatcher {
 public:
  using Clock = std::chrono::steady_clock;
  MediaWatcher(DriveSource& drives, DiscLoader& loader, LayerSink& sink, MediaWatcherOptions options)
      : drives_(drives), loader_(loader), sink_(sink), options_(options) {}
  MediaWatcher(const MediaWatcher&) = delete;
  MediaWatcher& operator=(const MediaWatcher&) = delete;
  ~MediaWatcher();  // unmounts the discs it still holds (their layers stay in the union)

  // Reads every drive once and acts on what changed.
  void Scan(Clock::time_point now);

  // For status output and tests: the class each drive's disc provides ("" when none).
  std::map<std::string, std::string> Layers() const;

 private:
  struct Drive {
    uint64_t digest = 0;             // the disc last acted on (0: none, or to be read again)
    std::optional<LoadedDisc> disc;  // mounted, its layer in the union
    std::string waiting_class;       // the disc claims a class another drive provides
    bool pending_empty = false;      // seen empty/unreadable, grace running
    Clock::time_point empty_since{};
    MediaReading last_reported;  // the last empty/unreadable state logged (logged once)
  };
  void ScanDrive(const std::string& name, Drive& d, Clock::time_point now);
  void LoadDisc(const std::string& name, Drive& d, uint64_t digest);
  // Removes the drive's layer from the union and unmounts its disc.
  void Release(const std::string& name, Drive& d, const std::string& why);
  void RetryWaiting();

  DriveSource& drives_;
  DiscLoader& loader_;
  LayerSink& sink_;
  MediaWatcherOptions options_;
  std::map<std::string, Drive> state_;
};

}  // namespace tern::guest
