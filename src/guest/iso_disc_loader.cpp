#include "guest/iso_disc_loader.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "context/layer_tree.h"
#include "context/names.h"
#include "core/files.h"
#include "guest/log.h"
#include "guest/loop_device.h"

namespace tern::guest {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void Unmount(const std::string& dir) {
  if (::umount2(dir.c_str(), 0) != 0 && errno == EBUSY) {
    LogWarn("disc mount '" + dir + "' is still in use; detached lazily (it goes when its last user does)");
    ::umount2(dir.c_str(), MNT_DETACH);
  }
  ::rmdir(dir.c_str());
}

}  // namespace

IsoDiscLoader::IsoDiscLoader(std::string layers_dir, std::string dev_dir)
    : layers_dir_(std::move(layers_dir)), dev_dir_(std::move(dev_dir)) {}

Result<LoadedDisc> IsoDiscLoader::Load(const std::string& drive) {
  const std::string device = dev_dir_ + "/" + drive;
  const std::string what = "drive " + drive;
  const UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::IoError(what + ": cannot open " + device + ": " + std::strerror(errno));
  std::string source = device;
  LoopDevice loop;
  Result<LoopDevice> attached = LoopDevice::Attach(fd.get(), what);
  if (attached.ok()) {
    loop = std::move(attached).value();
    source = loop.path();
  } else if (attached.status().code() == StatusCode::kUnavailable) {
    if (!warned_no_loop_) {
      LogWarn(attached.status().message() +
              "; mounting drives directly (a disc changed while another mount of "
              "the old one lives may then show the old disc's files)");
      warned_no_loop_ = true;
    }
  } else {
    return attached.status();
  }
  LoadedDisc disc;
  disc.drive = drive;
  disc.mount_dir = layers_dir_ + "/.discs/" + drive + "-" + std::to_string(++counter_);
  TERN_RETURN_IF_ERROR(MakeDirs(disc.mount_dir));
  const int rc = ::mount(source.c_str(), disc.mount_dir.c_str(), "iso9660",
                         MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, "");
  const int mount_errno = errno;
  loop.Release();  // the mount holds the loop device now (autoclear: it goes with the mount)
  if (rc != 0) {
    ::rmdir(disc.mount_dir.c_str());
    return Status::InvalidArgument(
        what +
        ": the disc is not a readable ISO 9660 image (corrupt or foreign): " + std::strerror(mount_errno));
  }
  auto fail = [&](const Status& s) {
    Unmount(disc.mount_dir);
    return s;
  };
  const std::string meta_path = disc.mount_dir + "/" + context::kLayerMetadataPath;
  if (!FileExists(meta_path)) {
    return fail(Status::InvalidArgument(what + ": not a tern layer (the disc has no /" +
                                        std::string(context::kLayerMetadataPath) + ")"));
  }
  auto json = ReadFile(meta_path);
  if (!json.ok()) return fail(json.status().WithContext(what));
  auto meta = context::ParseLayerMetadataJson(*json, what + ": /" + std::string(context::kLayerMetadataPath));
  if (!meta.ok()) return fail(meta.status());
  if (Status s = context::ValidateClassName(meta->class_name); !s.ok()) {
    return fail(Status::InvalidArgument(what + ": /" + std::string(context::kLayerMetadataPath) +
                                        ": class '" + meta->class_name + "': " + s.message()));
  }
  disc.meta = *meta;
  disc.layer_dir = disc.mount_dir + "/" + context::kContextDir;
  if (!IsDirectory(disc.layer_dir)) {  // a layer with metadata only: an empty tree
    disc.layer_dir = layers_dir_ + "/.empty";
    TERN_RETURN_IF_ERROR(MakeDirs(disc.layer_dir));
  }
  return disc;
}

void IsoDiscLoader::Publish(const LoadedDisc& disc) {
  const std::string link = layers_dir_ + "/" + disc.meta.class_name;
  const std::string tmp = link + ".tmp";
  const std::string target = disc.mount_dir.substr(layers_dir_.size() + 1);  // relative: ".discs/sr0-3"
  ::unlink(tmp.c_str());
  if (::symlink(target.c_str(), tmp.c_str()) != 0 || ::rename(tmp.c_str(), link.c_str()) != 0) {
    LogWarn("cannot point '" + link + "' at '" + disc.mount_dir + "': " + std::strerror(errno));
  }
}

void IsoDiscLoader::Unload(const LoadedDisc& disc) {
  const std::string link = layers_dir_ + "/" + disc.meta.class_name;
  char target[4096];
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n > 0 && disc.mount_dir == layers_dir_ + "/" + std::string(target, static_cast<size_t>(n))) {
    ::unlink(link.c_str());
  }
  Unmount(disc.mount_dir);
}

}  // namespace tern::guest
