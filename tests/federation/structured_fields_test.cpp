// RFC 8941 subset: dictionaries of items and inner lists with parameters, parsed and serialized back.
#include "federation/structured_fields.h"

#include <gtest/gtest.h>

namespace tern::federation::sf {
namespace {

TEST(StructuredFieldsTest, ParsesASignatureInputAndSerializesItBack) {
  const std::string text =
      "sig1=(\"@method\" \"@target-uri\" "
      "\"content-digest\");created=1618884473;keyid=\"test-key\";alg=\"ed25519\"";
  auto dict = ParseDictionary(text, "Signature-Input");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  ASSERT_EQ(dict->size(), 1u);
  EXPECT_EQ((*dict)[0].first, "sig1");
  const auto& list = std::get<InnerList>((*dict)[0].second);
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(std::get<std::string>(list.items[1].value), "@target-uri");
  EXPECT_EQ(std::get<int64_t>(*FindParam(list.params, "created")), 1618884473);
  EXPECT_EQ(std::get<std::string>(*FindParam(list.params, "keyid")), "test-key");
  EXPECT_EQ(SerializeDictionary(*dict), text);
}

TEST(StructuredFieldsTest, ParsesAllBareItemTypesAndWhitespace) {
  auto dict = ParseDictionary("a=1,  b=-42;x;y=?0 , c=tok/en:1, d=:AQID:, e=\"q\\\"s\\\\\", f", "t");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  ASSERT_EQ(dict->size(), 6u);
  EXPECT_EQ(std::get<int64_t>(std::get<Item>(*FindMember(*dict, "a")).value), 1);
  const auto& b = std::get<Item>(*FindMember(*dict, "b"));
  EXPECT_EQ(std::get<int64_t>(b.value), -42);
  EXPECT_EQ(std::get<bool>(*FindParam(b.params, "x")), true);
  EXPECT_EQ(std::get<bool>(*FindParam(b.params, "y")), false);
  EXPECT_EQ(std::get<Token>(std::get<Item>(*FindMember(*dict, "c")).value).value, "tok/en:1");
  EXPECT_EQ(std::get<ByteSequence>(std::get<Item>(*FindMember(*dict, "d")).value).bytes,
            std::string("\x01\x02\x03"));
  EXPECT_EQ(std::get<std::string>(std::get<Item>(*FindMember(*dict, "e")).value), "q\"s\\");
  EXPECT_EQ(std::get<bool>(std::get<Item>(*FindMember(*dict, "f")).value), true);
  EXPECT_EQ(SerializeDictionary(*dict), "a=1, b=-42;x;y=?0, c=tok/en:1, d=:AQID:, e=\"q\\\"s\\\\\", f");
}

TEST(StructuredFieldsTest, RepeatedKeyKeepsTheLastValue) {
  auto dict = ParseDictionary("a=1, a=2", "t");
  ASSERT_TRUE(dict.ok());
  ASSERT_EQ(dict->size(), 1u);
  EXPECT_EQ(std::get<int64_t>(std::get<Item>((*dict)[0].second).value), 2);
}

TEST(StructuredFieldsTest, RefusesMalformedInputWithAnOffset) {
  for (const std::string bad :
       {"A=1", "a=", "a=1,", "a=(1 2", "a=\"unterminated", "a=:AQID", "a=:A*ID:", "a=1.5", "a=?2",
        "a=1234567890123456", "a=\"bad\\n\"", "a=1 b=2", "a=(\"x\"\"y\")", "a=@", "a=\"\x01\""}) {
    auto dict = ParseDictionary(bad, "Field");
    EXPECT_FALSE(dict.ok()) << bad;
    if (!dict.ok()) {
      EXPECT_NE(dict.status().message().find("Field"), std::string::npos) << dict.status().message();
    }
  }
}

}  // namespace
}  // namespace tern::federation::sf
