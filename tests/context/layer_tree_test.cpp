#include "context/layer_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "context/nocloud.h"

namespace tern::context {
namespace {

using ::testing::HasSubstr;

ContextClass Broker() {
  ContextClass c;
  c.name = "broker";
  c.priority = 30;
  c.values = {{"region", "eu"}, {"zone", "b"}};
  c.files = {{"etc/broker.conf", "x=1\n", 0640}, {"motd", "hi", 0644}};
  return c;
}

std::vector<std::string> Paths(const std::vector<LayerEntry>& entries) {
  std::vector<std::string> out;
  for (const LayerEntry& e : entries) out.push_back(e.path);
  return out;
}

TEST(LayerTreeTest, ListsMetadataValuesAndFilesSorted) {
  Result<std::vector<LayerEntry>> r = RenderLayerTree(Broker(), {"broker", 30, 4, "host:h1"}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Paths(*r), ::testing::ElementsAre(".tern/layer.json", "context/etc/broker.conf", "context/motd",
                                                "context/values/region", "context/values/zone"));
  EXPECT_EQ((*r)[0].content,
            R"({"class":"broker","generation":4,"origin":"host:h1","priority":30,"format":1})"
            "\n");
  EXPECT_EQ((*r)[1].mode, 0640);
  EXPECT_EQ((*r)[3].content, "eu");  // no trailing newline
}

TEST(LayerTreeTest, FillsClassAndPriorityFromTheClassWhenMetadataLeavesThemEmpty) {
  Result<std::vector<LayerEntry>> r = RenderLayerTree(Broker(), {"", 0, 1, "host:h1"}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT((*r)[0].content, HasSubstr(R"("class":"broker")"));
  EXPECT_THAT((*r)[0].content, HasSubstr(R"("priority":30)"));
}

TEST(LayerTreeTest, RefusesMetadataThatContradictsTheClass) {
  EXPECT_FALSE(RenderLayerTree(Broker(), {"service", 30, 1, ""}, {}).ok());
  EXPECT_FALSE(RenderLayerTree(Broker(), {"broker", 31, 1, ""}, {}).ok());
}

TEST(LayerTreeTest, AddsNoCloudSeedFiles) {
  IsoOptions opts;
  opts.cloud_init_seed = true;
  opts.instance_id = "web1-3";
  opts.hostname = "web1";
  Result<std::vector<LayerEntry>> r = RenderLayerTree(Broker(), {"broker", 30, 1, ""}, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, std::string> files;
  for (const LayerEntry& e : *r) files[e.path] = e.content;
  EXPECT_EQ(files.at("meta-data"), "instance-id: web1-3\nlocal-hostname: web1\n");
  EXPECT_EQ(files.at("user-data"), "#cloud-config\n{}\n");
  EXPECT_EQ(files.at("network-config"),
            "version: 2\nethernets:\n  all:\n    match:\n      name: \"e*\"\n    dhcp4: true\n");
}

TEST(LayerTreeTest, NoCloudUsesGivenUserDataAndNetworkConfig) {
  IsoOptions opts;
  opts.cloud_init_seed = true;
  opts.instance_id = "i";
  opts.cloud_init = {"#cloud-config\nruncmd: [true]\n", "version: 1\n"};
  Result<std::vector<LayerEntry>> r = RenderLayerTree(Broker(), {}, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, std::string> files;
  for (const LayerEntry& e : *r) files[e.path] = e.content;
  EXPECT_EQ(files.at("meta-data"), "instance-id: i\n");
  EXPECT_EQ(files.at("user-data"), "#cloud-config\nruncmd: [true]\n");
  EXPECT_EQ(files.at("network-config"), "version: 1\n");
}

TEST(LayerTreeTest, NoCloudNeedsAValidInstanceId) {
  IsoOptions opts;
  opts.cloud_init_seed = true;
  EXPECT_THAT(RenderLayerTree(Broker(), {}, opts).status().message(), HasSubstr("instance id"));
  opts.instance_id = "a: b";
  EXPECT_THAT(RenderLayerTree(Broker(), {}, opts).status().message(), HasSubstr("instance id"));
  opts.instance_id = "ok";
  opts.hostname = "bad host";
  EXPECT_THAT(RenderLayerTree(Broker(), {}, opts).status().message(), HasSubstr("hostname"));
}

TEST(LayerTreeTest, ValidatesClassesBuiltInCode) {
  ContextClass c = Broker();
  c.name = "Bad Name";
  EXPECT_FALSE(RenderLayerTree(c, {}, {}).ok());
  c = Broker();
  c.values["a/b"] = "x";
  EXPECT_THAT(RenderLayerTree(c, {}, {}).status().message(), HasSubstr("not a valid key"));
  c = Broker();
  c.files.push_back({"../x", "", 0644});
  EXPECT_THAT(RenderLayerTree(c, {}, {}).status().message(), HasSubstr("'..' is not allowed"));
  c = Broker();
  c.files.push_back({"./x", "", 0644});
  EXPECT_THAT(RenderLayerTree(c, {}, {}).status().message(), HasSubstr("not normalized"));
  c = Broker();
  c.files.push_back({"motd", "", 0644});
  EXPECT_THAT(RenderLayerTree(c, {}, {}).status().message(), HasSubstr("listed twice"));
  c = Broker();
  c.files.push_back({"x", "", 01777});
  EXPECT_THAT(RenderLayerTree(c, {}, {}).status().message(), HasSubstr("mode"));
}

}  // namespace
}  // namespace tern::context
