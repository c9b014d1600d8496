#include "guest/layer_hooks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "guest/unique_fd.h"

namespace tern::guest {
namespace {

namespace fs = std::filesystem;

Status WriteExecutable(const std::string& path, const std::string& bytes, uint32_t mode) {
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777));
  if (!fd.valid()) return Status::IoError("hook '" + path + "': cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError("hook '" + path + "': cannot write: " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode & 0777) != 0) {
    return Status::IoError("hook '" + path + "': cannot set its mode: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Status ExportLayerHooks(const Layer& layer, const std::string& dest) {
  const std::string fresh = dest + ".new";
  const std::string old = dest + ".old";
  std::error_code ec;
  fs::remove_all(fresh, ec);
  fs::create_directories(fresh, ec);
  if (ec)
    return Status::IoError("hooks of layer '" + layer.name() + "': cannot create '" + fresh +
                           "': " + ec.message());
  const std::string prefix = "hooks/";
  for (auto it = layer.manifest().lower_bound(prefix);
       it != layer.manifest().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string name = it->first.substr(prefix.size());
    if (name.find('/') != std::string::npos || !S_ISREG(it->second.mode)) continue;
    auto bytes = layer.ReadWholeFile(it->first);
    if (!bytes.ok()) return bytes.status().WithContext("hooks of layer '" + layer.name() + "'");
    TERN_RETURN_IF_ERROR(WriteExecutable(fresh + "/" + name, *bytes, it->second.mode));
  }
  fs::remove_all(old, ec);
  if (fs::exists(dest, ec)) fs::rename(dest, old, ec);
  fs::rename(fresh, dest, ec);
  if (ec)
    return Status::IoError("hooks of layer '" + layer.name() + "': cannot install '" + dest +
                           "': " + ec.message());
  fs::remove_all(old, ec);
  return Status::Ok();
}

Status ClearLayerHooks(const std::string& dest) {
  std::error_code ec;
  fs::remove_all(dest, ec);
  if (ec) return Status::IoError("hooks '" + dest + "': cannot remove: " + ec.message());
  return Status::Ok();
}

}  // namespace tern::guest
