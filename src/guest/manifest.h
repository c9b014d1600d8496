// A layer's manifest: every path it holds with a summary of type, attributes and content (hash), taken when
// the layer joins the union. Diffing manifests tells which paths a layer change touched, even after the old
// layer's media is gone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

struct stat;

#include "core/result.h"
#include "guest/resolve.h"

namespace tern::guest {

// Attributes served to the kernel that do not count as a change (they differ between copies of a tree).
struct EntryStat {
  uint64_t ino = 0;
  uint64_t nlink = 1;
  uint64_t blocks = 0;
  uint64_t rdev = 0;
  uint64_t size_real = 0;  // st_size also for directories
  uint32_t blksize = 4096;
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
};

struct EntrySummary {
  EntryKind kind = EntryKind::kAbsent;
  bool opaque = false;
  uint32_t mode = 0;  // full st_mode (type and permission bits)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  uint64_t content_hash = 0;  // regular files: hash of the bytes; symlinks: hash of the target
  EntryStat stat;             // not compared
  bool operator==(const EntrySummary& o) const {
    return kind == o.kind && opaque == o.opaque && mode == o.mode && uid == o.uid && gid == o.gid &&
           size == o.size && content_hash == o.content_hash;
  }
};

// Relative path ("" for the layer root, "a/b" below it) -> summary. Sorted, so parents precede children.
using Manifest = std::map<std::string, EntrySummary>;

// The summary of what fstatat returned (content_hash left 0).
EntrySummary SummaryOf(const struct stat& st);

// 64-bit hash of a byte string (fast, not cryptographic).
uint64_t HashBytes(const void* data, size_t size, uint64_t seed = 0);

// File contents and symlink targets of a layer by path: what a snapshot layer serves from memory.
using LayerContents = std::unordered_map<std::string, std::string>;

struct ScanOptions {
  LayerContents* contents = nullptr;  // when set, filled with every regular file's bytes and link's target
  uint64_t max_content_bytes = 0;     // limit on the total kept in `contents` (0: none)
};

// Walks the directory tree below root_fd (never following symlinks). Errors name `layer_name` and the path.
Result<Manifest> ScanLayer(int root_fd, const std::string& layer_name, const ScanOptions& options = {});

// Paths whose summary differs between two manifests (present in one only, or different), sorted.
std::vector<std::string> DiffManifests(const Manifest& before, const Manifest& after);

// The union view of a path computed from manifests of layers in priority order (highest first), following
// ResolvePath through every path component. kAbsent when the path is not visible.
EntrySummary VisibleEntry(const std::vector<const Manifest*>& layers, const std::string& path);

// `candidates` (sorted) plus, below every candidate that is a directory in `before_layer` or `after_layer`
// (either may be null), every path any of `layers` holds: a directory of the changed layer that appears,
// goes, changes type or turns opaque changes what is visible below it. Sorted, without duplicates.
std::vector<std::string> ExpandBelowDirectories(const std::vector<std::string>& candidates,
                                                const Manifest* before_layer, const Manifest* after_layer,
                                                const std::vector<const Manifest*>& layers);

// Of `candidates`, the paths whose visible entry differs between the two layer stacks (sorted).
std::vector<std::string> VisibleChanges(const std::vector<const Manifest*>& before,
                                        const std::vector<const Manifest*>& after,
                                        const std::vector<std::string>& candidates);

}  // namespace tern::guest
