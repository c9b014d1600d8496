// SiteKey: created on first use with mode 0600, loaded again unchanged, and refused with a clear error when
// the file is too open, the wrong size, a symlink or not a file.
#include "federation/site_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "../common/temp_dir.h"

namespace tern::federation {
namespace {

using tern::testing::TempDir;

TEST(SiteKeyTest, CreatedOnFirstUseWithMode0600AndReloadedUnchanged) {
  TempDir dir;
  const std::string path = dir.Path("site.key");
  auto first = SiteKey::LoadOrCreate(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto second = SiteKey::LoadOrCreate(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->public_key(), second->public_key());
  EXPECT_EQ(first->PublicKeyBase64().size(), 44u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(SiteKeyTest, TwoSitesGetDifferentKeys) {
  TempDir dir;
  auto a = SiteKey::LoadOrCreate(dir.Path("a.key"));
  auto b = SiteKey::LoadOrCreate(dir.Path("b.key"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->public_key(), b->public_key());
}

TEST(SiteKeyTest, SignaturesVerifyOnlyWithTheRightKeyAndMessage) {
  TempDir dir;
  auto a = SiteKey::LoadOrCreate(dir.Path("a.key"));
  auto b = SiteKey::LoadOrCreate(dir.Path("b.key"));
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string msg = "migrate vm-1";
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  const Signature sig = a->Sign(bytes);
  EXPECT_TRUE(VerifySignature(a->public_key(), bytes, sig));
  EXPECT_FALSE(VerifySignature(b->public_key(), bytes, sig));
  const std::string other = "migrate vm-2";
  EXPECT_FALSE(VerifySignature(a->public_key(),
                               std::span(reinterpret_cast<const uint8_t*>(other.data()), other.size()), sig));
}

TEST(SiteKeyTest, RefusesAGroupOrWorldReadableFile) {
  TempDir dir;
  const std::string path = dir.Path("site.key");
  ASSERT_TRUE(SiteKey::LoadOrCreate(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = SiteKey::LoadOrCreate(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("mode 0644"), std::string::npos) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find(path), std::string::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_FALSE(SiteKey::Load(path).ok());
}

TEST(SiteKeyTest, RefusesAFileOfTheWrongSize) {
  TempDir dir;
  for (const size_t size : {size_t{0}, size_t{31}, size_t{33}, size_t{64}}) {
    const std::string path = dir.Write("k" + std::to_string(size), std::string(size, 'x'));
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    auto loaded = SiteKey::LoadOrCreate(path);
    ASSERT_FALSE(loaded.ok()) << size;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find(std::to_string(size) + " bytes"), std::string::npos)
        << loaded.status().message();
  }
}

TEST(SiteKeyTest, RefusesSymlinksAndDirectories) {
  TempDir dir;
  const std::string real = dir.Path("real.key");
  ASSERT_TRUE(SiteKey::LoadOrCreate(real).ok());
  const std::string link = dir.Path("link.key");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  auto via_link = SiteKey::Load(link);
  ASSERT_FALSE(via_link.ok());
  EXPECT_NE(via_link.status().message().find("symbolic link"), std::string::npos);
  std::filesystem::create_directory(dir.Path("d"));
  ::chmod(dir.Path("d").c_str(), 0700);
  auto d = SiteKey::Load(dir.Path("d"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("not a regular file"), std::string::npos) << d.status().message();
}

TEST(SiteKeyTest, MissingDirectoryIsAnIoErrorNamingThePath) {
  auto k = SiteKey::LoadOrCreate("/nonexistent-dir-tern/site.key");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("/nonexistent-dir-tern/site.key"), std::string::npos);
}

TEST(PublicKeyTest, ParsesItsOwnBase64AndRefusesOtherLengths) {
  TempDir dir;
  auto k = SiteKey::LoadOrCreate(dir.Path("a.key"));
  ASSERT_TRUE(k.ok());
  auto parsed = ParsePublicKey(k->PublicKeyBase64(), "key");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, k->public_key());
  EXPECT_FALSE(ParsePublicKey("AAAA", "key").ok());
  EXPECT_FALSE(ParsePublicKey("not base64!", "key").ok());
}

}  // namespace
}  // namespace tern::federation
