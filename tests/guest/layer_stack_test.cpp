// Unit tests of the copy-on-write layer stack (no FUSE): ordering, errors and the changed paths.
#include "guest/layer_stack.h"

#include <gtest/gtest.h>

#include "guest/log.h"
#include "guest/service.h"
#include "temp_tree.h"

namespace tern::guest {
namespace {

using testing::TempTree;

std::shared_ptr<const Layer> Open(const std::string& name, const std::string& dir, int prio,
                                  uint64_t gen = 0) {
  auto l = Layer::Open({name, dir, prio, gen});
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return *l;
}

TEST(LayerStackTest, OrdersByPriorityAndReportsVisibleChanges) {
  TempTree low;
  TempTree high;
  low.File("values/a", "low");
  low.File("values/b", "low");
  high.File("values/a", "high");
  LayerStack stack;
  ASSERT_TRUE(stack.Add(Open("low", low.path(), 10)).ok());
  auto c = stack.Add(Open("high", high.path(), 20));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->changed_paths, (std::vector<std::string>{"values/a"}));
  auto snap = stack.Current();
  ASSERT_EQ(snap->layers.size(), 2U);
  EXPECT_EQ(snap->layers[0]->name(), "high");
  EXPECT_EQ(snap->epoch, 2U);
}

TEST(LayerStackTest, ReplaceAndRemove) {
  TempTree v1;
  TempTree v2;
  v1.File("values/ip", "10.0.0.1");
  v1.File("values/dns", "1.1.1.1");
  v2.File("values/ip", "10.0.0.2");
  v2.File("values/dns", "1.1.1.1");
  LayerStack stack;
  auto first = Open("infra", v1.path(), 20, 1);
  ASSERT_TRUE(stack.Add(first).ok());
  auto c = stack.Replace(Open("infra", v2.path(), 20, 2));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->changed_paths, (std::vector<std::string>{"values/ip"}));
  EXPECT_TRUE(first->gone());
  auto r = stack.Remove("infra");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed_paths.size(), 4U);  // "", values, values/dns, values/ip
}

TEST(LayerStackTest, ADirectoryHiddenOrMadeOpaqueListsWhatItHides) {
  TempTree low;
  TempTree file_above;
  TempTree opaque_above;
  low.File("values/site", "lab-a");
  low.File("values/dns", "1.1.1.1");
  low.File("etc/app.conf", "x");
  file_above.File("values", "a file now");
  opaque_above.File("values/site", "lab-b");
  opaque_above.File("values/.wh..wh..opq", "");
  LayerStack stack;
  ASSERT_TRUE(stack.Add(Open("low", low.path(), 10)).ok());
  auto c = stack.Add(Open("file", file_above.path(), 20));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->changed_paths, (std::vector<std::string>{"values", "values/dns", "values/site"}));
  ASSERT_TRUE(stack.Remove("file").ok());
  c = stack.Add(Open("opaque", opaque_above.path(), 20));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->changed_paths, (std::vector<std::string>{"values/dns", "values/site"}));
}

TEST(LayerStackTest, ErrorsNameTheLayer) {
  TempTree d;
  LayerStack stack;
  ASSERT_TRUE(stack.Add(Open("x", d.path(), 1)).ok());
  auto dup = stack.Add(Open("x", d.path(), 2));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(dup.status().message().find("'x'"), std::string::npos);
  EXPECT_EQ(stack.Remove("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(stack.Replace(Open("nope", d.path(), 1)).status().code(), StatusCode::kNotFound);
  auto missing = Layer::Open({"m", d / "missing", 1, 0});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
}

TEST(LayerStackTest, ParseLayerArgument) {
  auto s = ParseLayerArgument("/srv/layers/infra/:20");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "infra");
  EXPECT_EQ(s->priority, 20);
  EXPECT_FALSE(ParseLayerArgument("/srv/x").ok());
  EXPECT_FALSE(ParseLayerArgument("/srv/x:abc").ok());
}

TEST(LayerTest, ASnapshotKeepsTheContentAndNotTheDirectory) {
  TempTree d;
  d.File("values/ip", "10.0.0.1");
  d.Link("current", "values/ip");
  auto dir_layer = Layer::Open({"infra", d.path(), 20, 1});
  auto snap_layer = Layer::Open({"infra", d.path(), 20, 1, /*snapshot=*/true});
  ASSERT_TRUE(snap_layer.ok()) << snap_layer.status().ToString();
  const Layer& s = **snap_layer;
  EXPECT_LT(s.root_fd(), 0);
  EXPECT_GE((*dir_layer)->root_fd(), 0);
  ASSERT_NE(s.Content("values/ip"), nullptr);
  EXPECT_EQ(*s.Content("values/ip"), "10.0.0.1");
  EXPECT_EQ(*s.Content("current"), "values/ip");
  EXPECT_EQ(s.Content("values"), nullptr);
  // The same manifest (hashes included) either way: swapping one kind for the other changes nothing visible.
  EXPECT_TRUE(DiffManifests((*dir_layer)->manifest(), s.manifest()).empty());
  // The directory can change or go: the snapshot still serves what it read.
  std::filesystem::remove_all(d / "values");
  EXPECT_EQ(*s.ReadWholeFile("values/ip"), "10.0.0.1");
  EXPECT_FALSE((*dir_layer)->ReadWholeFile("values/ip").ok());
  EXPECT_EQ(s.ReadWholeFile("nope").status().code(), StatusCode::kNotFound);
  ASSERT_NE(s.Find("values/ip"), nullptr);
  EXPECT_EQ(s.Find("values/ip")->size, 8U);
  EXPECT_EQ(s.Find("values/ipx"), nullptr);
}

TEST(LayerTest, ASnapshotTooLargeForMemoryIsRefused) {
  TempTree d;
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i <= static_cast<int>(kMaxSnapshotBytes >> 20); ++i) d.File("f" + std::to_string(i), chunk);
  auto l = Layer::Open({"big", d.path(), 1, 1, true});
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("layer 'big': more than"), std::string::npos) << l.status().ToString();
  EXPECT_TRUE(Layer::Open({"big", d.path(), 1, 1, false}).ok());
}

TEST(LayerStackTest, DescribesAChangeOnOneLine) {
  TempTree v1;
  v1.File("values/site", "lab-a");
  LayerStack stack;
  auto c = stack.Add(Open("infrastructure", v1.path(), 20, 2));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(DescribeChange(4, *c),
            "change seq=4 event=add class=infrastructure priority=20 generation=2 paths=3 "
            "changed=.,values,values/site");
  auto r = stack.Remove("infrastructure");
  EXPECT_EQ(DescribeChange(5, *r).substr(0, 59),
            "change seq=5 event=remove class=infrastructure priority=20 ");
}

TEST(LogTest, MarkerLinesAreSingleLines) {
  EXPECT_EQ(FormatLogLine(LogLevel::kWarn, "drive sr0: bad\ndisc\r", true, 1.5),
            "TERN:FFS level=warn drive sr0: bad disc ");
  EXPECT_EQ(FormatLogLine(LogLevel::kInfo, "hello", false, 12.345), "tern-guest [12.35] info: hello");
}

}  // namespace
}  // namespace tern::guest
