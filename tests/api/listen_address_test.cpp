#include "api/listen_address.h"

#include <gtest/gtest.h>

namespace tern::api {
namespace {

TEST(ListenAddressTest, Parses) {
  auto a = ParseListenAddress("127.0.0.1:7480", "api.listen");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7480);
  auto b = ParseListenAddress("[::1]:80", "api.listen");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  for (const char* bad : {"", "7480", ":80", "h:", "h:99999", "h:x", "[::1:80"}) {
    auto r = ParseListenAddress(bad, "api.listen");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("api.listen"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace tern::api
