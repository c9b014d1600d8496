// Unit tests of the layer-resolution policy (pure functions, no FUSE).
#include "guest/resolve.h"

#include <gtest/gtest.h>

namespace tern::guest {
namespace {

constexpr LayerProbe kNone{};
constexpr LayerProbe kDir{EntryKind::kDirectory, false};
constexpr LayerProbe kOpaqueDir{EntryKind::kDirectory, true};
constexpr LayerProbe kFile{EntryKind::kOther, false};
constexpr LayerProbe kWhiteout{EntryKind::kWhiteout, false};

TEST(ResolvePathTest, HighestLayerHoldingTheFileWins) {
  const LayerProbe probes[] = {kNone, kFile, kFile};
  const PathResolution r = ResolvePath(probes);
  EXPECT_EQ(r.winner, 1);
  EXPECT_TRUE(r.merged.empty());
}

TEST(ResolvePathTest, AbsentEverywhereIsNotFound) {
  const LayerProbe probes[] = {kNone, kNone};
  EXPECT_FALSE(ResolvePath(probes).found());
  EXPECT_FALSE(ResolvePath({}).found());
}

TEST(ResolvePathTest, DirectoriesMergeUntilOpaque) {
  const LayerProbe probes[] = {kDir, kNone, kOpaqueDir, kDir};
  const PathResolution r = ResolvePath(probes);
  EXPECT_EQ(r.winner, 0);
  EXPECT_EQ(r.merged, (std::vector<int>{0, 2}));
}

TEST(ResolvePathTest, FileAboveDirectoryHidesIt) {
  const LayerProbe probes[] = {kFile, kDir};
  const PathResolution r = ResolvePath(probes);
  EXPECT_EQ(r.winner, 0);
  EXPECT_TRUE(r.merged.empty());
}

TEST(ResolvePathTest, FileBelowDirectoryEndsTheMerge) {
  const LayerProbe probes[] = {kDir, kFile, kDir};
  const PathResolution r = ResolvePath(probes);
  EXPECT_EQ(r.winner, 0);
  EXPECT_EQ(r.merged, (std::vector<int>{0}));
}

TEST(ResolvePathTest, WhiteoutHidesLowerLayers) {
  const LayerProbe top[] = {kWhiteout, kFile};
  EXPECT_FALSE(ResolvePath(top).found());
  const LayerProbe mid[] = {kDir, kWhiteout, kDir};
  EXPECT_EQ(ResolvePath(mid).merged, (std::vector<int>{0}));
}

std::vector<ListingEntry> L(std::initializer_list<std::pair<const char*, EntryKind>> items) {
  std::vector<ListingEntry> out;
  for (const auto& [n, k] : items) out.push_back({n, k, 0, 0});
  return out;
}

TEST(MergeListingsTest, UnionWithoutDuplicatesSorted) {
  const std::vector<std::vector<ListingEntry>> layers = {
      L({{"b", EntryKind::kOther}, {"a", EntryKind::kDirectory}}),
      L({{"a", EntryKind::kOther}, {"c", EntryKind::kOther}}),
  };
  const auto merged = MergeListings(layers);
  ASSERT_EQ(merged.size(), 3U);
  EXPECT_EQ(merged[0].name, "a");
  EXPECT_EQ(merged[0].kind, EntryKind::kDirectory);  // from the higher layer
  EXPECT_EQ(merged[1].name, "b");
  EXPECT_EQ(merged[2].name, "c");
}

TEST(MergeListingsTest, WhiteoutsAndOpaqueMarkerAreHidden) {
  const std::vector<std::vector<ListingEntry>> layers = {
      L({{"gone", EntryKind::kWhiteout}, {kOpaqueMarker, EntryKind::kOther}}),
      L({{"gone", EntryKind::kOther}, {"kept", EntryKind::kOther}}),
  };
  const auto merged = MergeListings(layers);
  ASSERT_EQ(merged.size(), 1U);
  EXPECT_EQ(merged[0].name, "kept");
}

}  // namespace
}  // namespace tern::guest
