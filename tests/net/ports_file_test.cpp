#include "net/ports_file.h"

#include <gtest/gtest.h>

namespace tern::net {
namespace {

TEST(PortsFileTest, ParsesPortsLabelsCommentsAndBlankLines) {
  auto r = ParsePortsFile("# written by ternd\n\n40000:40001 web1\n  40002:40003\n", "ports");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (PortsFileEntry{40000, 40001, "web1"}));
  EXPECT_EQ((*r)[1], (PortsFileEntry{40002, 40003, ""}));
}

TEST(PortsFileTest, FormatRoundTrips) {
  const std::vector<PortsFileEntry> entries{{1, 2, "a.b_c-d"}, {65535, 3, ""}};
  auto r = ParsePortsFile(FormatPortsFile(entries), "ports");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, entries);
  EXPECT_TRUE(ParsePortsFile("", "ports")->empty());
}

TEST(PortsFileTest, RefusesBadLinesNamingTheLineAndProblem) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"40000\n", "ports: line 1: '40000' is not LOCAL:REMOTE"},
      {"\n0:5\n", "ports: line 2: '0:5' is not LOCAL:REMOTE"},
      {"70000:5\n", "'70000:5' is not LOCAL:REMOTE"},
      {"5:x\n", "'5:x' is not LOCAL:REMOTE"},
      {"5:+6\n", "'5:+6' is not LOCAL:REMOTE"},
      {"7:7\n", "LOCAL and REMOTE are the same port"},
      {"7:8\n9:7\n", "line 2: port 7 is listed twice"},
      {"7:8 web/1\n", "label 'web/1' is not"},
      {"7:8 web extra\n", "unexpected 'extra'"},
  };
  for (const auto& c : cases) {
    auto r = ParsePortsFile(c.text, "ports");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace tern::net
