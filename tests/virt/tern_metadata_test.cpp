#include "virt/tern_metadata.h"

#include <gtest/gtest.h>

namespace tern::virt {
namespace {

TEST(TernMetadataTest, RoundTripsWithEscaping) {
  const std::map<std::string, std::string> in = {
      {"managed", "1"}, {"layers", R"([{"class":"a<&>"}])"}, {"empty", ""}};
  auto out = ParseTernMetadataXml(RenderTernMetadataXml(in), "domain 'x'");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
}

TEST(TernMetadataTest, ReadsWhatLibvirtReturns) {
  // libvirt re-serializes with its own indentation and may keep or drop the prefix.
  const std::string xml =
      "<tern:vm xmlns:tern=\"https://tern.invalid/xmlns/vm/1\">\n  <tern:managed>1</tern:managed>\n"
      "  <tern:host>h1</tern:host>\n  <tern:none/>\n</tern:vm>\n";
  auto out = ParseTernMetadataXml(xml, "domain 'x'");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("managed"), "1");
  EXPECT_EQ(out->at("host"), "h1");
  EXPECT_EQ(out->at("none"), "");
  auto plain = ParseTernMetadataXml("<vm xmlns=\"u\"><a>&#65;&quot;</a></vm>", "d");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->at("a"), "A\"");
}

TEST(TernMetadataTest, MalformedIsRefusedWithTheDomainNamed) {
  for (const char* bad : {"", "<vm>", "<vm><a>x</vm>", "<vm><a"}) {
    auto r = ParseTernMetadataXml(bad, "domain 'web1'");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("domain 'web1'"), std::string::npos);
  }
}

}  // namespace
}  // namespace tern::virt
