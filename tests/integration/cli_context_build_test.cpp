// `tern context build`: the offline ISO builder through the real CLI, read back with libisofs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "context/iso_reader.h"
#include "core/files.h"
#include "ternd_cluster.h"

namespace tern::testing {
namespace {

class CliContextBuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FileExists(BuiltProgram("tern"))) GTEST_SKIP() << "tern is not built";
    dir_ = std::filesystem::temp_directory_path() / ("tern-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    manifest_ = (dir_ / "web.yaml").string();
    ASSERT_TRUE(WriteFileAtomic(
                    manifest_,
                    "vm:\n  name: web1\n  memory_mib: 128\ncontext:\n  service:\n    priority: 10\n"
                    "    values: {port: \"8080\"}\n  broker:\n    priority: 30\n    values: {region: eu}\n")
                    .ok());
    ASSERT_TRUE(WriteFileAtomic((dir_ / "host.yaml").string(),
                                "host:\n  name: h9\ninfrastructure:\n  priority: 20\n  values: {site: x}\n")
                    .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<CommandOutput> Tern(const std::string& args) {
    return RunShell(ShellQuote(BuiltProgram("tern")) + " " + args);
  }
  std::filesystem::path dir_;
  std::string manifest_;
};

TEST_F(CliContextBuildTest, BuildsEachClassDeterministically) {
  const std::string a = (dir_ / "a.iso").string();
  const std::string b = (dir_ / "b.iso").string();
  auto r = Tern("context build " + manifest_ + " --class service --out " + a);
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_NE(r->out.find("label cidata"), std::string::npos) << r->out;
  r = Tern("context build " + manifest_ + " --class service --out " + b);
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(*ReadFile(a), *ReadFile(b));
  auto iso = context::ReadIso(*ReadFile(a));
  ASSERT_TRUE(iso.ok()) << iso.status().ToString();
  EXPECT_EQ(iso->volume_id, "cidata");
  EXPECT_EQ(iso->files.at("context/values/port"), "8080");
  EXPECT_TRUE(iso->files.count("meta-data"));

  r = Tern("context build " + manifest_ + " --class broker --generation 4 --out " + a);
  ASSERT_EQ(r->exit_code, 0) << r->err;
  iso = context::ReadIso(*ReadFile(a));
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(iso->volume_id, "TERN_BROKER");
  EXPECT_NE(iso->files.at(".tern/layer.json").find("\"generation\":4"), std::string::npos);

  r = Tern("context build " + manifest_ + " --class infrastructure --host-config " +
           (dir_ / "host.yaml").string() + " --out " + a);
  ASSERT_EQ(r->exit_code, 0) << r->err;
  iso = context::ReadIso(*ReadFile(a));
  ASSERT_TRUE(iso.ok());
  EXPECT_NE(iso->files.at(".tern/layer.json").find("host:h9"), std::string::npos);
}

TEST_F(CliContextBuildTest, ErrorsGoToStderrWithNonZeroExit) {
  auto r = Tern("context build " + manifest_ + " --class nosuch --out " + (dir_ / "x.iso").string());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("no context class 'nosuch'"), std::string::npos) << r->err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.iso"));
  r = Tern("context build " + manifest_ + " --class infrastructure --out x.iso");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("--host-config"), std::string::npos) << r->err;
  r = Tern("context build /nonexistent.yaml --class service --out x.iso");
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("/nonexistent.yaml"), std::string::npos) << r->err;
  r = Tern("vm bogus");
  EXPECT_NE(r->exit_code, 0);
}

}  // namespace
}  // namespace tern::testing
