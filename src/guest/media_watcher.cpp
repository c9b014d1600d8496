#include "guest/media_watcher.h"

#include <cstring>
#include <set>

#include "guest/log.h"

namespace tern::guest {

MediaWatcher::~MediaWatcher() {
  for (auto& [name, d] : state_) {
    if (d.disc) loader_.Unload(*d.disc);
  }
}

std::map<std::string, std::string> MediaWatcher::Layers() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, d] : state_) out[name] = d.disc ? d.disc->meta.class_name : "";
  return out;
}

void MediaWatcher::Scan(Clock::time_point now) {
  const std::vector<std::string> names = drives_.Drives();
  const std::set<std::string> present(names.begin(), names.end());
  for (auto it = state_.begin(); it != state_.end();) {
    if (present.count(it->first) == 0) {
      LogInfo("drive " + it->first + ": removed");
      Release(it->first, it->second, "its drive was removed");
      it = state_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& name : names) {
    auto [it, added] = state_.try_emplace(name);
    if (added) LogInfo("drive " + name + ": found");
    ScanDrive(name, it->second, now);
  }
  RetryWaiting();
}

void MediaWatcher::ScanDrive(const std::string& name, Drive& d, Clock::time_point now) {
  const MediaReading r = drives_.Read(name);
  if (r.status == MediaStatus::kPresent) {
    d.pending_empty = false;
    d.last_reported = r;
    if (r.digest == d.digest) return;
    LogInfo("drive " + name + ": " + (d.digest != 0 ? "disc changed" : "disc inserted"));
    LoadDisc(name, d, r.digest);
    return;
  }
  if (!(r == d.last_reported)) {  // log each empty/unreadable state once
    if (r.status == MediaStatus::kUnreadable) {
      LogWarn("drive " + name + ": cannot read the drive: " + std::strerror(r.error) +
              " (treated as holding no usable disc)");
    } else {
      LogInfo("drive " + name + ": no disc");
    }
    d.last_reported = r;
  }
  if (!d.disc && d.waiting_class.empty()) {
    d.digest = 0;
    d.pending_empty = false;
    return;  // nothing to take away
  }
  if (options_.eject_grace.count() > 0) {
    if (!d.pending_empty) {
      d.pending_empty = true;
      d.empty_since = now;
      return;
    }
    if (now - d.empty_since < options_.eject_grace) return;
  }
  d.pending_empty = false;
  d.digest = 0;
  Release(name, d,
          r.status == MediaStatus::kUnreadable ? "its drive cannot be read" : "its disc was ejected");
}

void MediaWatcher::LoadDisc(const std::string& name, Drive& d, uint64_t digest) {
  const std::string what = "drive " + name;
  const std::string old_class = d.disc ? d.disc->meta.class_name : "";
  const std::string leaves = old_class.empty() ? "" : "; the drive's layer '" + old_class + "' leaves";
  d.digest = digest;  // a bad disc is reported once, not at every scan
  d.waiting_class.clear();
  Result<LoadedDisc> loaded = loader_.Load(name);
  if (!loaded.ok()) {
    LogWarn(loaded.status().message() + leaves);
    Release(name, d, "");
    return;
  }
  const context::LayerMetadata meta = loaded->meta;  // copied: `loaded` is moved into the drive below
  const std::string& cls = meta.class_name;
  if (cls != old_class && sink_.HasLayer(cls)) {
    LogError(what + ": its disc claims class '" + cls + "' (generation " + std::to_string(meta.generation) +
             "), which another layer already provides; disc ignored until that class is free" + leaves);
    loader_.Unload(*loaded);
    Release(name, d, "");
    d.waiting_class = cls;
    return;
  }
  LayerSpec spec;
  spec.name = cls;
  spec.dir = loaded->layer_dir;
  spec.priority = meta.priority;
  spec.generation = meta.generation;
  spec.snapshot = true;
  Result<std::shared_ptr<const Layer>> layer = Layer::Open(spec);
  if (!layer.ok()) {
    LogWarn(what + ": " + layer.status().message() + leaves);
    loader_.Unload(*loaded);
    Release(name, d, "");
    return;
  }
  // A disc changed while it was read could have mixed two discs into the snapshot: read it again.
  const MediaReading again = drives_.Read(name);
  if (again.status != MediaStatus::kPresent || again.digest != digest) {
    LogWarn(what + ": the disc changed while it was read; reading it again");
    loader_.Unload(*loaded);
    d.digest = 0;
    return;
  }
  const bool replace = cls == old_class;
  if (!replace && d.disc) Release(name, d, "its drive now holds a disc of class '" + cls + "'");
  Result<LayerChange> change = replace ? sink_.ReplaceLayer(*layer) : sink_.AddLayer(*layer);
  if (replace && !change.ok() && change.status().code() == StatusCode::kNotFound) {
    change = sink_.AddLayer(*layer);  // someone removed the drive's layer meanwhile (control socket)
  }
  if (!change.ok()) {
    LogError(what + ": layer '" + cls + "': " + change.status().ToString());
    loader_.Unload(*loaded);
    return;
  }
  if (replace) loader_.Unload(*d.disc);  // after the replace: the union never lacks the class meanwhile
  d.disc = std::move(loaded).value();
  loader_.Publish(*d.disc);
  LogInfo(what + ": layer '" + cls + "' generation " + std::to_string(meta.generation) + " priority " +
          std::to_string(meta.priority) + (replace ? " replaced" : " added") + " (disc at " +
          d.disc->mount_dir + ")");
}

void MediaWatcher::Release(const std::string& name, Drive& d, const std::string& why) {
  if (d.disc) {
    const std::string cls = d.disc->meta.class_name;
    Result<LayerChange> r = sink_.RemoveLayer(cls);
    if (!r.ok()) {
      LogWarn("drive " + name + ": removing layer '" + cls + "': " + r.status().ToString());
    } else if (!why.empty()) {
      LogInfo("drive " + name + ": layer '" + cls + "' removed: " + why);
    }
    loader_.Unload(*d.disc);
    d.disc.reset();
  }
  d.waiting_class.clear();
}

void MediaWatcher::RetryWaiting() {
  for (auto& [name, d] : state_) {
    if (d.waiting_class.empty() || d.digest == 0 || sink_.HasLayer(d.waiting_class)) continue;
    LogInfo("drive " + name + ": class '" + d.waiting_class +
            "' is free now; loading the drive's disc again");
    LoadDisc(name, d, d.digest);
  }
}

}  // namespace tern::guest
