#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/subprocess.h"

namespace tern {
namespace {

TEST(Base64Test, RoundTripsAllLengthsAndRejectsGarbage) {
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 7));
    auto back = Base64Decode(Base64Encode(bytes), "x");
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, bytes);
  }
  EXPECT_FALSE(Base64Decode("abc", "layer iso").ok());
  EXPECT_NE(Base64Decode("ab!d", "layer iso").status().message().find("layer iso"), std::string::npos);
  EXPECT_FALSE(Base64Decode("a=bc", "x").ok());
}

TEST(SubprocessTest, CapturesOutputAndExitCode) {
  auto r = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(RunProcess({"/nonexistent/program"}).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tern
