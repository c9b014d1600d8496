// Unit tests of layer manifests: scanning, diffing and the visible view computed from them.
#include "guest/manifest.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "guest/unique_fd.h"
#include "temp_tree.h"

namespace tern::guest {
namespace {

using testing::TempTree;

Manifest Scan(const TempTree& t) {
  const UniqueFd fd(::open(t.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto m = ScanLayer(fd.get(), "test");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Manifest{};
}

TEST(ManifestTest, ScanListsEveryPathWithKindAndContentHash) {
  TempTree t;
  t.File("values/a", "1");
  t.File("etc/app.conf", "x=1\n");
  t.Link("link", "values/a");
  t.File("opaque/.wh..wh..opq", "");
  const Manifest m = Scan(t);
  ASSERT_EQ(m.count(""), 1U);
  EXPECT_EQ(m.at("values").kind, EntryKind::kDirectory);
  EXPECT_EQ(m.at("values/a").kind, EntryKind::kOther);
  EXPECT_EQ(m.at("values/a").size, 1U);
  EXPECT_EQ(m.at("link").content_hash, HashBytes("values/a", 8));
  EXPECT_TRUE(m.at("opaque").opaque);
  EXPECT_EQ(m.count("opaque/.wh..wh..opq"), 0U);  // the marker is not an entry
}

TEST(ManifestTest, ScanOfMissingDirectoryNamesTheLayer) {
  auto m = ScanLayer(-1, "infra");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("infra"), std::string::npos);
}

TEST(ManifestTest, DiffFindsChangedAddedAndRemovedPathsOnly) {
  TempTree a;
  TempTree b;
  a.File("same", "s");
  b.File("same", "s");
  a.File("changed", "one");
  b.File("changed", "two");  // same size, other bytes
  a.File("removed", "r");
  b.File("added", "n");
  const auto diff = DiffManifests(Scan(a), Scan(b));
  EXPECT_EQ(diff, (std::vector<std::string>{"added", "changed", "removed"}));
}

TEST(ManifestTest, HashDiffersForDifferentBytesAndLengths) {
  EXPECT_NE(HashBytes("abc", 3), HashBytes("abd", 3));
  EXPECT_NE(HashBytes("abc", 3), HashBytes("abc\0", 4));
  EXPECT_EQ(HashBytes("0123456789abcdef!", 17), HashBytes("0123456789abcdef!", 17));
}

EntrySummary Entry(EntryKind kind, uint64_t hash = 0, bool opaque = false) {
  EntrySummary e;
  e.kind = kind;
  e.content_hash = hash;
  e.opaque = opaque;
  return e;
}

TEST(ManifestTest, VisibleEntryFollowsMergedDirectoriesOnly) {
  Manifest top{{"", Entry(EntryKind::kDirectory)}, {"d", Entry(EntryKind::kOther, 7)}};
  Manifest low{{"", Entry(EntryKind::kDirectory)},
               {"d", Entry(EntryKind::kDirectory)},
               {"d/f", Entry(EntryKind::kOther, 1)},
               {"x", Entry(EntryKind::kOther, 2)}};
  const std::vector<const Manifest*> both = {&top, &low};
  EXPECT_EQ(VisibleEntry(both, "d").content_hash, 7U);
  EXPECT_EQ(VisibleEntry(both, "d/f").kind, EntryKind::kAbsent);  // hidden by the file above
  EXPECT_EQ(VisibleEntry(both, "x").content_hash, 2U);
  const std::vector<const Manifest*> low_only = {&low};
  EXPECT_EQ(VisibleEntry(low_only, "d/f").content_hash, 1U);
}

TEST(ManifestTest, VisibleChangesIgnoreShadowedPaths) {
  Manifest top{{"", Entry(EntryKind::kDirectory)}, {"k", Entry(EntryKind::kOther, 9)}};
  Manifest low1{{"", Entry(EntryKind::kDirectory)},
                {"k", Entry(EntryKind::kOther, 1)},
                {"j", Entry(EntryKind::kOther, 1)}};
  Manifest low2{{"", Entry(EntryKind::kDirectory)},
                {"k", Entry(EntryKind::kOther, 2)},
                {"j", Entry(EntryKind::kOther, 2)}};
  const auto changed = VisibleChanges({&top, &low1}, {&top, &low2}, DiffManifests(low1, low2));
  EXPECT_EQ(changed, (std::vector<std::string>{"j"}));
}

}  // namespace
}  // namespace tern::guest
