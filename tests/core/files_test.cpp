#include "core/files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tern {
namespace {

TEST(FilesTest, AtomicWriteThenRead) {
  const auto dir = std::filesystem::temp_directory_path() / ("tern-files-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(MakeDirs(dir.string()).ok());
  const std::string path = (dir / "a.txt").string();
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  EXPECT_EQ(*ReadFile(path), "hello");
  EXPECT_TRUE(RemoveFile(path).ok());
  EXPECT_TRUE(RemoveFile(path).ok());
  const auto missing = ReadFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tern
