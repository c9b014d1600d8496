#include "guest/media_watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "context/layer_metadata.h"
#include "core/files.h"
#include "guest/log.h"

namespace tern::guest {

uint64_t ReadMediaDigest(const std::string& device) {
  const UniqueFd fd(::open(device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return 0;
  std::array<char, 2048> pvd{};
  if (::pread(fd.get(), pvd.data(), pvd.size(), 16 * 2048) != static_cast<ssize_t>(pvd.size())) return 0;
  const uint64_t h = HashBytes(pvd.data(), pvd.size());
  return h == 0 ? 1 : h;
}

MediaWatcher::MediaWatcher(GuestService& service, MediaWatcherOptions options)
    : service_(service), options_(std::move(options)) {
  (void)MakeDirs(options_.layers_dir);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      ScanOnce();
      std::this_thread::sleep_for(options_.poll);
    }
  });
}

MediaWatcher::~MediaWatcher() {
  stop_ = true;
  thread_.join();
}

void MediaWatcher::ScanOnce() {
  std::map<std::string, bool> present;
  if (DIR* d = ::opendir(options_.sys_block.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (std::strncmp(e->d_name, "sr", 2) == 0) present[e->d_name] = true;
    }
    ::closedir(d);
  }
  for (auto it = drives_.begin(); it != drives_.end();) {  // hot-unplugged drives
    if (present.count(it->first) == 0) {
      DropLayer(it->first, it->second);
      it = drives_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [dev, unused] : present) {
    Drive& drive = drives_[dev];
    const uint64_t digest = ReadMediaDigest(options_.dev_dir + "/" + dev);
    if (digest == drive.digest) {
      drive.empty_pending = false;
      continue;
    }
    if (digest == 0 && options_.eject_grace.count() > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (!drive.empty_pending) {
        drive.empty_pending = true;
        drive.empty_since = now;
        continue;
      }
      if (now - drive.empty_since < options_.eject_grace) continue;
    }
    drive.empty_pending = false;
    MediaChanged(dev, drive, digest);
  }
}

void MediaWatcher::DropLayer(const std::string& dev, Drive& drive) {
  if (!drive.layer.empty()) {
    auto r = service_.Remove(drive.layer);
    if (!r.ok()) LogWarn("drive " + dev + ": removing layer '" + drive.layer + "': " + r.status().ToString());
  }
  if (!drive.mount.empty()) ::umount2(drive.mount.c_str(), MNT_DETACH);
  drive.layer.clear();
  drive.mount.clear();
  drive.digest = 0;
}

void MediaWatcher::MediaChanged(const std::string& dev, Drive& drive, uint64_t digest) {
  const std::string device = options_.dev_dir + "/" + dev;
  LogInfo("drive " + dev + ": media " +
          (digest == 0         ? "ejected"
           : drive.digest == 0 ? "inserted"
                               : "changed"));
  const std::string old_layer = drive.layer;
  const std::string old_mount = drive.mount;
  drive.digest = digest;
  auto drop_old = [&] {
    drive.layer = old_layer;
    drive.mount = old_mount;
    DropLayer(dev, drive);
    drive.digest = digest;
  };
  if (digest == 0) {
    drop_old();
    return;
  }
  const std::string staging =
      options_.layers_dir + "/.staging-" + dev + "-" + std::to_string(++staging_counter_);
  ::mkdir(staging.c_str(), 0755);
  if (::mount(device.c_str(), staging.c_str(), "iso9660", MS_RDONLY | MS_NODEV | MS_NOSUID, "") != 0) {
    LogWarn("drive " + dev + ": cannot mount the disc as ISO 9660: " + std::strerror(errno) +
            " (corrupt or foreign disc; its layer leaves)");
    ::rmdir(staging.c_str());
    drop_old();
    return;
  }
  auto json = ReadFile(staging + "/.tern/layer.json");
  Result<context::LayerMetadata> meta =
      json.ok() ? context::ParseLayerMetadataJson(*json, dev + ":/.tern/layer.json")
                : Result<context::LayerMetadata>(json.status());
  if (!meta.ok()) {
    LogWarn("drive " + dev + ": not a tern layer: " + meta.status().ToString());
    ::umount2(staging.c_str(), MNT_DETACH);
    ::rmdir(staging.c_str());
    drop_old();
    return;
  }
  const std::string cls = meta->class_name;
  if (cls != old_layer && service_.HasLayer(cls)) {
    LogError("drive " + dev + ": class '" + cls + "' is already provided by another layer; disc ignored");
    ::umount2(staging.c_str(), MNT_DETACH);
    ::rmdir(staging.c_str());
    drop_old();
    return;
  }
  if (!old_layer.empty() && old_layer != cls) drop_old();
  // Each disc keeps its own mount (old ones are detached lazily once their layer left).
  LayerSpec spec;
  spec.name = cls;
  spec.priority = meta->priority;
  spec.generation = meta->generation;
  spec.dir = staging + "/context";
  struct stat st {};
  if (::stat(spec.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    spec.dir = options_.layers_dir + "/.empty";
    ::mkdir(spec.dir.c_str(), 0755);
  }
  const std::string link = options_.layers_dir + "/" + cls;
  const bool replace = service_.HasLayer(cls);
  auto r = replace ? service_.Replace(spec) : service_.Add(spec);
  if (!r.ok()) {
    LogError("drive " + dev + ": layer '" + cls + "': " + r.status().ToString());
    ::umount2(staging.c_str(), MNT_DETACH);
    ::rmdir(staging.c_str());
    drive.layer.clear();
    drive.mount.clear();
    return;
  }
  if (!old_mount.empty() && old_mount != staging) {
    ::umount2(old_mount.c_str(), MNT_DETACH);
    ::rmdir(old_mount.c_str());
  }
  // LAYERS_DIR/<class> names the current disc of each class.
  const std::string tmp_link = link + ".tmp";
  ::unlink(tmp_link.c_str());
  if (::symlink(staging.c_str(), tmp_link.c_str()) == 0) ::rename(tmp_link.c_str(), link.c_str());
  drive.layer = cls;
  drive.mount = staging;
  LogInfo("drive " + dev + ": layer '" + cls + "' generation " + std::to_string(spec.generation) +
          " priority " + std::to_string(spec.priority) + (replace ? " replaced" : " added"));
}

}  // namespace tern::guest
