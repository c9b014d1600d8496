// NonceCache: replays inside the window are caught, nonces are forgotten once their window has passed, the
// cache never grows past its capacity, and nonces of different sites do not collide.
#include "federation/nonce_cache.h"

#include <gtest/gtest.h>

namespace tern::federation {
namespace {

using Outcome = NonceCache::Outcome;

TEST(NonceCacheTest, ReplayInsideWindowIsCaught) {
  NonceCache cache(60, 10);
  EXPECT_EQ(cache.Insert("a", "n1", 1000, 1000), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("a", "n1", 1000, 1059), Outcome::kReplayed);
  EXPECT_EQ(cache.Insert("b", "n1", 1000, 1001), Outcome::kFresh);  // another site's nonce space
}

TEST(NonceCacheTest, ForgetsNoncesOlderThanTheWindow) {
  NonceCache cache(60, 10);
  EXPECT_EQ(cache.Insert("a", "n1", 1000, 1000), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("a", "n2", 1030, 1030), Outcome::kFresh);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Insert("a", "n3", 1061, 1061), Outcome::kFresh);
  EXPECT_EQ(cache.size(), 2u);  // n1 (created 1000) left the window at 1060
}

TEST(NonceCacheTest, FutureDatedNonceIsKeptUntilItsOwnWindowEnds) {
  NonceCache cache(60, 10);
  EXPECT_EQ(cache.Insert("a", "n1", 1050, 1000), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("a", "n1", 1050, 1100), Outcome::kReplayed);
}

TEST(NonceCacheTest, BoundedCapacityFailsClosed) {
  NonceCache cache(60, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cache.Insert("a", std::to_string(i), 1000, 1000), Outcome::kFresh);
  EXPECT_EQ(cache.Insert("a", "x", 1000, 1000), Outcome::kFull);
  EXPECT_EQ(cache.Insert("a", "0", 1000, 1000), Outcome::kReplayed);
  EXPECT_EQ(cache.Insert("a", "x", 1070, 1070), Outcome::kFresh);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace tern::federation
