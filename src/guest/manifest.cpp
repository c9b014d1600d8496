#include "guest/manifest.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "guest/unique_fd.h"

namespace tern::guest {
namespace {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

EntryKind KindOf(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return EntryKind::kDirectory;
  if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return EntryKind::kWhiteout;
  return EntryKind::kOther;
}

Status Fail(const std::string& layer, const std::string& path, const char* what) {
  return Status::IoError("layer '" + layer + "': cannot " + what + " '" + (path.empty() ? "." : path) +
                         "': " + std::strerror(errno));
}

struct ScanState {
  const std::string& layer;
  const ScanOptions& options;
  uint64_t kept = 0;  // bytes stored in options.contents so far
};

Status Keep(ScanState& scan, const std::string& path, std::string bytes) {
  scan.kept += bytes.size();
  if (scan.options.max_content_bytes != 0 && scan.kept > scan.options.max_content_bytes) {
    return Status::InvalidArgument("layer '" + scan.layer + "': more than " +
                                   std::to_string(scan.options.max_content_bytes) +
                                   " bytes of content (at '" + path + "'): too large to keep in memory");
  }
  (*scan.options.contents)[path] = std::move(bytes);
  return Status::Ok();
}

// Hashes the file in 64 KiB chunks (the same hash whether or not the bytes are kept).
Result<uint64_t> HashFile(int dir_fd, const std::string& name, ScanState& scan, const std::string& path) {
  const UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return Fail(scan.layer, path, "open");
  std::array<char, 65536> buf{};
  std::string bytes;
  uint64_t h = 0;
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(scan.layer, path, "read");
    }
    if (n == 0) break;
    h = HashBytes(buf.data(), static_cast<size_t>(n), h);
    if (scan.options.contents != nullptr) bytes.append(buf.data(), static_cast<size_t>(n));
  }
  if (scan.options.contents != nullptr) TERN_RETURN_IF_ERROR(Keep(scan, path, std::move(bytes)));
  return h;
}

bool IsOpaqueDir(int dir_fd) {
  char value[4];
  const std::string self = "/proc/self/fd/" + std::to_string(dir_fd);
  const ssize_t n = ::getxattr(self.c_str(), "trusted.overlay.opaque", value, sizeof value);
  if (n == 1 && value[0] == 'y') return true;
  struct stat st {};
  return ::fstatat(dir_fd, kOpaqueMarker, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Status ScanDir(int dir_fd, const std::string& rel, ScanState& scan, Manifest& out) {
  const std::string& layer = scan.layer;
  const int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) return Fail(layer, rel, "dup");
  DIR* d = ::fdopendir(dup_fd);
  if (d == nullptr) {
    ::close(dup_fd);
    return Fail(layer, rel, "list");
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name == kOpaqueMarker) continue;
    names.push_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    const std::string path = Join(rel, name);
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Fail(layer, path, "stat");
    EntrySummary s = SummaryOf(st);
    if (S_ISREG(st.st_mode)) {
      TERN_ASSIGN_OR_RETURN(s.content_hash, HashFile(dir_fd, name, scan, path));
    } else if (S_ISLNK(st.st_mode)) {
      std::array<char, 4096> target{};
      const ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return Fail(layer, path, "read the link");
      s.content_hash = HashBytes(target.data(), static_cast<size_t>(n));
      if (scan.options.contents != nullptr)
        TERN_RETURN_IF_ERROR(Keep(scan, path, std::string(target.data(), static_cast<size_t>(n))));
    } else if (S_ISDIR(st.st_mode)) {
      const UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
      if (!sub.valid()) return Fail(layer, path, "open the directory");
      s.opaque = IsOpaqueDir(sub.get());
      out[path] = s;
      TERN_RETURN_IF_ERROR(ScanDir(sub.get(), path, scan, out));
      continue;
    } else {
      s.content_hash = st.st_rdev;
    }
    out[path] = s;
  }
  return Status::Ok();
}

int64_t Nanos(const timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

EntrySummary SummaryOf(const struct stat& st) {
  EntrySummary s;
  s.kind = KindOf(st);
  s.mode = st.st_mode;
  s.uid = st.st_uid;
  s.gid = st.st_gid;
  s.size = S_ISDIR(st.st_mode) ? 0 : static_cast<uint64_t>(st.st_size);
  s.stat.ino = st.st_ino;
  s.stat.nlink = st.st_nlink;
  s.stat.blocks = static_cast<uint64_t>(st.st_blocks);
  s.stat.rdev = st.st_rdev;
  s.stat.blksize = static_cast<uint32_t>(st.st_blksize);
  s.stat.atime_ns = Nanos(st.st_atim);
  s.stat.mtime_ns = Nanos(st.st_mtim);
  s.stat.ctime_ns = Nanos(st.st_ctim);
  s.stat.size_real = static_cast<uint64_t>(st.st_size);
  return s;
}

uint64_t HashBytes(const void* data, size_t size, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = Mix(seed ^ 0x9e3779b97f4a7c15ULL);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ Mix(w)) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + i, size - i);
  h = Mix(h ^ Mix(tail ^ (static_cast<uint64_t>(size - i) << 56)));
  return h;
}

Result<Manifest> ScanLayer(int root_fd, const std::string& layer_name, const ScanOptions& options) {
  Manifest out;
  ScanState scan{layer_name, options};
  struct stat st {};
  if (::fstat(root_fd, &st) != 0) return Fail(layer_name, "", "stat");
  EntrySummary root = SummaryOf(st);
  out[""] = root;
  TERN_RETURN_IF_ERROR(ScanDir(root_fd, "", scan, out));
  return out;
}

std::vector<std::string> DiffManifests(const Manifest& before, const Manifest& after) {
  std::vector<std::string> out;
  auto a = before.begin();
  auto b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && a->first < b->first)) {
      out.push_back((a++)->first);
    } else if (a == before.end() || b->first < a->first) {
      out.push_back((b++)->first);
    } else {
      if (!(a->second == b->second)) out.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return out;
}

EntrySummary VisibleEntry(const std::vector<const Manifest*>& layers, const std::string& path) {
  std::vector<int> merged(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) merged[i] = static_cast<int>(i);
  std::string prefix;
  size_t start = 0;
  EntrySummary result;
  result.kind = EntryKind::kDirectory;  // the root
  if (!layers.empty()) {
    for (const Manifest* m : layers) {
      if (auto it = m->find(""); it != m->end()) {
        result = it->second;
        break;
      }
    }
  }
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    prefix = path.substr(0, end);
    std::vector<LayerProbe> probes;
    std::vector<const EntrySummary*> entries;
    for (const int li : merged) {
      const Manifest& m = *layers[static_cast<size_t>(li)];
      auto it = m.find(prefix);
      if (it == m.end()) {
        probes.push_back({});
        entries.push_back(nullptr);
      } else {
        probes.push_back({it->second.kind, it->second.opaque});
        entries.push_back(&it->second);
      }
    }
    const PathResolution r = ResolvePath(probes);
    if (!r.found()) return {};
    result = *entries[static_cast<size_t>(r.winner)];
    std::vector<int> next;
    for (const int k : r.merged) next.push_back(merged[static_cast<size_t>(k)]);
    merged = std::move(next);
    if (end < path.size() && result.kind != EntryKind::kDirectory) return {};
    start = end + 1;
  }
  result.opaque = false;  // opacity is not part of the visible entry
  return result;
}

std::vector<std::string> ExpandBelowDirectories(const std::vector<std::string>& candidates,
                                                const Manifest* before_layer, const Manifest* after_layer,
                                                const std::vector<const Manifest*>& layers) {
  auto is_dir = [](const Manifest* m, const std::string& p) {
    if (m == nullptr) return false;
    auto it = m->find(p);
    return it != m->end() && it->second.kind == EntryKind::kDirectory;
  };
  std::vector<std::string> out = candidates;
  const std::string* covered = nullptr;  // the last expanded directory: its descendants are already in
  for (const std::string& p : candidates) {
    if (covered != nullptr &&
        (covered->empty() || (p.size() > covered->size() && p.compare(0, covered->size(), *covered) == 0 &&
                              p[covered->size()] == '/'))) {
      continue;
    }
    if (!is_dir(before_layer, p) && !is_dir(after_layer, p)) continue;
    covered = &p;
    const std::string prefix = p.empty() ? std::string() : p + "/";
    for (const Manifest* m : layers) {
      for (auto it = m->lower_bound(prefix);
           it != m->end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        if (!it->first.empty()) out.push_back(it->first);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> VisibleChanges(const std::vector<const Manifest*>& before,
                                        const std::vector<const Manifest*>& after,
                                        const std::vector<std::string>& candidates) {
  std::vector<std::string> out;
  for (const std::string& p : candidates) {
    if (!(VisibleEntry(before, p) == VisibleEntry(after, p))) out.push_back(p);
  }
  return out;
}

}  // namespace tern::guest
