// The layer-resolution policy of the union, as pure functions (no FUSE, no file system): which layer wins a
// path, which directories merge, and the merged directory listing. Semantics are those of overlayfs
// lowerdirs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tern::guest {

// What one layer holds at a path.
enum class EntryKind : uint8_t {
  kAbsent,     // nothing
  kDirectory,  // a directory (merges with directories below unless opaque)
  kOther,      // a file, symlink or special file (hides everything below)
  kWhiteout,   // an overlayfs whiteout (character device 0/0): hides the name in every layer below
};

struct LayerProbe {
  EntryKind kind = EntryKind::kAbsent;
  bool opaque = false;  // directory marked opaque: layers below do not merge into it
};

// The outcome for one path: the winning layer and, for a directory, the layers whose same-named directory
// merges into the view (winner first). Indexes refer to the probe list.
struct PathResolution {
  int winner = -1;  // -1: the path does not exist in the union
  std::vector<int> merged;
  [[nodiscard]] bool found() const { return winner >= 0; }
};

// probes[i] is what layer i holds at the path, layers in priority order (highest first). Rules: the first
// layer with an entry wins; a whiteout there means "absent"; a winning directory merges with directories in
// following layers until an opaque directory (inclusive), a non-directory or a whiteout (exclusive).
PathResolution ResolvePath(std::span<const LayerProbe> probes);

// One name in one layer's directory.
struct ListingEntry {
  std::string name;
  EntryKind kind = EntryKind::kAbsent;
  uint32_t type = 0;  // S_IFMT bits of the entry (for readdir's d_type)
  uint64_t ino = 0;
};

// The union of the listings of merged directories (listings[i] belongs to the i-th merged layer, highest
// first): each name once, from the highest layer holding it; names whited out above are hidden; whiteouts
// themselves and the opaque marker file are never listed. The result is sorted by name.
std::vector<ListingEntry> MergeListings(std::span<const std::vector<ListingEntry>> listings);

// Name of the file that marks a directory opaque in a layer that cannot carry xattrs (e.g. an ISO image), as
// in OCI image layers. Also accepted: the xattr trusted.overlay.opaque = "y".
inline constexpr const char* kOpaqueMarker = ".wh..wh..opq";

}  // namespace tern::guest
