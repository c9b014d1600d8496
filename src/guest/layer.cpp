#include "guest/layer.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace tern::guest {

Result<std::shared_ptr<const Layer>> Layer::Open(const LayerSpec& spec) {
  if (spec.name.empty()) return Status::InvalidArgument("layer for '" + spec.dir + "': the name is empty");
  UniqueFd fd(::open(spec.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    return Status::IoError("layer '" + spec.name + "': cannot open directory '" + spec.dir +
                           "': " + std::strerror(errno));
  }
  auto layer = std::shared_ptr<Layer>(new Layer());  // private constructor: make_shared cannot reach it
  layer->spec_ = spec;
  ScanOptions scan;
  if (spec.snapshot) {
    scan.contents = &layer->contents_;
    scan.max_content_bytes = kMaxSnapshotBytes;
    if (::fstatvfs(fd.get(), &layer->stats_) != 0) {
      return Status::IoError("layer '" + spec.name + "': cannot stat the file system of '" + spec.dir +
                             "': " + std::strerror(errno));
    }
  }
  TERN_ASSIGN_OR_RETURN(layer->manifest_, ScanLayer(fd.get(), spec.name, scan));
  if (!spec.snapshot) layer->root_ = std::move(fd);  // a snapshot needs nothing of the directory any more
  layer->index_.reserve(layer->manifest_.size());
  for (const auto& [path, entry] : layer->manifest_) {
    layer->index_.emplace(std::string_view(path), &entry);
    if (path.empty()) continue;
    const size_t slash = path.rfind('/');
    const std::string parent = slash == std::string::npos ? std::string() : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    layer->children_[parent].push_back({name, entry.kind, entry.mode & S_IFMT, entry.stat.ino});
  }
  return std::shared_ptr<const Layer>(std::move(layer));
}

const std::vector<ListingEntry>& Layer::Children(const std::string& path) const {
  static const std::vector<ListingEntry> kEmpty;
  auto it = children_.find(path);
  return it == children_.end() ? kEmpty : it->second;
}

Result<std::string> Layer::ReadWholeFile(const std::string& path) const {
  const EntrySummary* e = Find(path);
  if (e == nullptr || !S_ISREG(e->mode)) {
    return Status::NotFound("layer '" + name() + "': no regular file '" + path + "'");
  }
  if (snapshot()) {
    const std::string* bytes = Content(path);
    if (bytes == nullptr)
      return Status::Internal("layer '" + name() + "': no content kept for '" + path + "'");
    return *bytes;
  }
  const UniqueFd fd(::openat(root_fd(), path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return Status::IoError("layer '" + name() + "': cannot open '" + path + "': " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::IoError("layer '" + name() + "': cannot read '" + path + "': " + std::strerror(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<struct statvfs> Layer::FsStats() const {
  if (snapshot()) return stats_;
  struct statvfs st {};
  if (::fstatvfs(root_fd(), &st) != 0) {
    return Status::IoError("layer '" + name() + "': statvfs: " + std::strerror(errno));
  }
  return st;
}

Result<LayerSpec> ParseLayerArgument(const std::string& arg) {
  const size_t colon = arg.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == arg.size()) {
    return Status::InvalidArgument("layer '" + arg + "': expected DIR:PRIORITY");
  }
  LayerSpec spec;
  spec.dir = arg.substr(0, colon);
  const std::string prio = arg.substr(colon + 1);
  const auto [ptr, ec] = std::from_chars(prio.data(), prio.data() + prio.size(), spec.priority);
  if (ec != std::errc() || ptr != prio.data() + prio.size()) {
    return Status::InvalidArgument("layer '" + arg + "': priority '" + prio + "' is not an integer");
  }
  std::string trimmed = spec.dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const size_t slash = trimmed.rfind('/');
  spec.name = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  if (spec.name.empty()) spec.name = "root";
  return spec;
}

}  // namespace tern::guest
