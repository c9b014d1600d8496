#include "guest/resolve.h"

#include <algorithm>
#include <unordered_set>

namespace tern::guest {

PathResolution ResolvePath(std::span<const LayerProbe> probes) {
  PathResolution out;
  for (size_t i = 0; i < probes.size(); ++i) {
    const LayerProbe& p = probes[i];
    if (p.kind == EntryKind::kAbsent) continue;
    if (p.kind == EntryKind::kWhiteout) break;  // absent if nothing above; ends a merge otherwise
    if (p.kind == EntryKind::kOther) {
      if (out.winner < 0) out.winner = static_cast<int>(i);
      break;  // a non-directory wins alone, or ends the merge of a directory above
    }
    if (out.winner < 0) out.winner = static_cast<int>(i);
    out.merged.push_back(static_cast<int>(i));
    if (p.opaque) break;
  }
  return out;
}

std::vector<ListingEntry> MergeListings(std::span<const std::vector<ListingEntry>> listings) {
  std::vector<ListingEntry> out;
  std::unordered_set<std::string> seen;
  for (const auto& listing : listings) {
    for (const ListingEntry& e : listing) {
      if (e.name == "." || e.name == ".." || e.name == kOpaqueMarker) continue;
      if (!seen.insert(e.name).second) continue;  // a higher layer already decided this name
      if (e.kind == EntryKind::kWhiteout || e.kind == EntryKind::kAbsent) continue;
      out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ListingEntry& a, const ListingEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace tern::guest
