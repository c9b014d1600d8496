#include "context/layer_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tern::context {
namespace {

using ::testing::HasSubstr;

TEST(LayerMetadataTest, RendersCompactOneLineJson) {
  const LayerMetadata meta{"service", 10, 3, "manifest:/srv/web.yaml"};
  EXPECT_EQ(
      RenderLayerMetadataJson(meta),
      R"({"class":"service","generation":3,"origin":"manifest:/srv/web.yaml","priority":10,"format":1})");
}

TEST(LayerMetadataTest, RoundTrips) {
  for (const LayerMetadata& meta : {LayerMetadata{"infrastructure", 50, 18446744073709551615ull, "host:h1"},
                                    LayerMetadata{"broker", -7, 0, "quote\" and \\ and \n and é"}}) {
    Result<LayerMetadata> back = ParseLayerMetadataJson(RenderLayerMetadataJson(meta), "layer.json");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->class_name, meta.class_name);
    EXPECT_EQ(back->priority, meta.priority);
    EXPECT_EQ(back->generation, meta.generation);
    EXPECT_EQ(back->origin, meta.origin);
  }
}

TEST(LayerMetadataTest, ToleratesWhitespaceAndUnknownKeys) {
  Result<LayerMetadata> r = ParseLayerMetadataJson(
      "\n { \"format\": 1, \"class\": \"a\", \"priority\": 1, \"generation\": 2, \"origin\": \"o\", \"new\": "
      "[] }\n",
      "x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->generation, 2u);
}

TEST(LayerMetadataTest, RejectsBadInput) {
  const auto error = [](const std::string& json) {
    Result<LayerMetadata> r = ParseLayerMetadataJson(json, "layer.json");
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_THAT(error("{"), HasSubstr("layer.json: not valid JSON"));
  EXPECT_THAT(error("[]"), HasSubstr("expected a JSON object"));
  EXPECT_THAT(error(R"({"class":"a","priority":1,"generation":2,"origin":"o"})"), HasSubstr("'format'"));
  EXPECT_THAT(error(R"({"class":"a","priority":1,"generation":2,"origin":"o","format":2})"),
              HasSubstr("unsupported layer metadata format 2"));
  EXPECT_THAT(error(R"({"priority":1,"generation":2,"origin":"o","format":1})"), HasSubstr("'class'"));
  EXPECT_THAT(error(R"({"class":"a","priority":"1","generation":2,"origin":"o","format":1})"),
              HasSubstr("'priority'"));
  EXPECT_THAT(error(R"({"class":"a","priority":4294967296,"generation":2,"origin":"o","format":1})"),
              HasSubstr("'priority' is out of range"));
  EXPECT_THAT(error(R"({"class":"a","priority":1,"generation":-2,"origin":"o","format":1})"),
              HasSubstr("'generation'"));
  EXPECT_THAT(error(R"({"class":"a","priority":1,"generation":2,"format":1})"), HasSubstr("'origin'"));
}

}  // namespace
}  // namespace tern::context
