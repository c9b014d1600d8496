#include "context/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace tern::context {
namespace {

using ::testing::HasSubstr;

TEST(ValidateVmNameTest, AcceptsLibvirtFriendlyNames) {
  for (const std::string& name :
       std::vector<std::string>{"web1", "a", "W", "9lives", "web-1.eu_west", std::string(63, 'x')}) {
    EXPECT_TRUE(ValidateVmName(name).ok()) << name;
  }
}

TEST(ValidateVmNameTest, RejectsOthers) {
  for (const std::string& name : std::vector<std::string>{"", "-web", ".web", "_web", "bad/name", "a b",
                                                          "web\n", "wéb", std::string(64, 'x')}) {
    const Status s = ValidateVmName(name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(s.message(), HasSubstr("is not a valid VM name")) << name;
  }
}

TEST(ValidateClassNameTest, LowercaseStartingWithALetter) {
  EXPECT_TRUE(ValidateClassName("service").ok());
  EXPECT_TRUE(ValidateClassName("legis-lation_2").ok());
  EXPECT_FALSE(ValidateClassName("").ok());
  EXPECT_FALSE(ValidateClassName("Broker").ok());
  EXPECT_FALSE(ValidateClassName("2nd").ok());
  EXPECT_FALSE(ValidateClassName("a.b").ok());
  EXPECT_FALSE(ValidateClassName(std::string(33, 'a')).ok());
}

TEST(ValidateValueKeyTest, FileNameSafeKeys) {
  EXPECT_TRUE(ValidateValueKey("app_port").ok());
  EXPECT_TRUE(ValidateValueKey("db.host-1").ok());
  EXPECT_TRUE(ValidateValueKey("...x").ok());
  for (const std::string& key :
       std::vector<std::string>{"", ".", "..", "a/b", "a b", "ä", std::string(256, 'k')}) {
    EXPECT_FALSE(ValidateValueKey(key).ok()) << key;
  }
}

TEST(ValidateMacTest, UnicastColonHex) {
  EXPECT_TRUE(ValidateMac("52:54:00:12:34:56").ok());
  EXPECT_TRUE(ValidateMac("52:54:00:AB:cd:EF").ok());
  for (const std::string& mac :
       std::vector<std::string>{"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52-54-00-12-34-56",
                                "52:54:00:12:34:5g", "5:54:00:12:34:56", "525400123456"}) {
    EXPECT_THAT(ValidateMac(mac).message(), HasSubstr("not a valid MAC address")) << mac;
  }
  EXPECT_THAT(ValidateMac("01:00:5e:00:00:01").message(), HasSubstr("multicast"));
}

TEST(NormalizeContextPathTest, Normalizes) {
  EXPECT_EQ(*NormalizeContextPath("etc/app.conf"), "etc/app.conf");
  EXPECT_EQ(*NormalizeContextPath("./etc//app.conf"), "etc/app.conf");
  EXPECT_EQ(*NormalizeContextPath("motd"), "motd");
  EXPECT_EQ(*NormalizeContextPath("étc/naïve file.conf"), "étc/naïve file.conf");
  EXPECT_EQ(*NormalizeContextPath("valuesx/a"), "valuesx/a");
}

TEST(NormalizeContextPathTest, Rejects) {
  EXPECT_THAT(NormalizeContextPath("../etc/passwd").status().message(), HasSubstr("'..' is not allowed"));
  EXPECT_THAT(NormalizeContextPath("etc/../../x").status().message(), HasSubstr("'..' is not allowed"));
  EXPECT_THAT(NormalizeContextPath("/etc/app.conf").status().message(), HasSubstr("relative"));
  EXPECT_THAT(NormalizeContextPath("etc/").status().message(), HasSubstr("trailing"));
  EXPECT_THAT(NormalizeContextPath("").status().message(), HasSubstr("empty"));
  EXPECT_THAT(NormalizeContextPath("./.").status().message(), HasSubstr("names no file"));
  EXPECT_THAT(NormalizeContextPath("values/x").status().message(), HasSubstr("reserved"));
  EXPECT_THAT(NormalizeContextPath("values").status().message(), HasSubstr("reserved"));
  EXPECT_THAT(NormalizeContextPath(std::string("a\0b", 3)).status().message(), HasSubstr("NUL"));
  EXPECT_THAT(NormalizeContextPath("a\nb").status().message(), HasSubstr("control"));
  EXPECT_THAT(NormalizeContextPath("a\xff").status().message(), HasSubstr("UTF-8"));
  EXPECT_THAT(NormalizeContextPath(std::string(256, 'a')).status().message(), HasSubstr("255"));
}

TEST(ContextPathSetTest, RefusesDuplicatesAndFileDirectoryClashes) {
  ContextPathSet set;
  EXPECT_TRUE(set.Add("etc/app.conf").ok());
  EXPECT_TRUE(set.Add("etc/other.conf").ok());
  EXPECT_TRUE(set.Add("etcetera").ok());
  EXPECT_THAT(set.Add("etc/app.conf").message(), HasSubstr("listed twice"));
  EXPECT_THAT(set.Add("etc").message(), HasSubstr("both a file and a directory"));
  EXPECT_THAT(set.Add("etcetera/x").message(), HasSubstr("both a file and a directory"));
  EXPECT_THAT(set.Add("etc/app.conf/x").message(), HasSubstr("both a file and a directory"));
}

}  // namespace
}  // namespace tern::context
