#include "core/status.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace tern {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("value " + std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  TERN_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkAndErrorsRenderWithCodeName) {
  EXPECT_TRUE(Status::Ok().ok());
  const Status s = Status::NotFound("vm 'a' is not known");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "NotFound: vm 'a' is not known");
  EXPECT_EQ(s.WithContext("deploy").ToString(), "NotFound: deploy: vm 'a' is not known");
}

TEST(ResultTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  const auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "value 3 is odd");
  EXPECT_THROW((void)r.value(), std::logic_error);
}

}  // namespace
}  // namespace tern
