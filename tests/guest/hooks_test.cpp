// Unit tests of hook watch declarations, matching and environment.
#include "guest/hooks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "guest/layer_hooks.h"
#include "temp_tree.h"

namespace tern::guest {
namespace {

using testing::TempTree;

TEST(HooksTest, WatchesFromCommentAndWatchFile) {
  TempTree t;
  t.File("h", "#!/bin/sh\n# tern-watch: values/ip etc/\necho hi\n");
  t.File("h.watch", "# comment\nvalues/dns\n");
  EXPECT_EQ(ReadHookWatches(t / "h"), (std::vector<std::string>{"values/ip", "etc", "values/dns"}));
}

TEST(HooksTest, AWatchMatchesItselfAndWhatLiesInside) {
  EXPECT_TRUE(WatchMatches({}, {"anything"}));
  EXPECT_TRUE(WatchMatches({"values/ip"}, {"values/ip"}));
  EXPECT_TRUE(WatchMatches({"values"}, {"values/ip"}));
  EXPECT_TRUE(WatchMatches({"values/ip"}, {"values/ip/v4"}));
  EXPECT_FALSE(WatchMatches({"values/ip"}, {"values"}));  // a new "values" directory lists its keys too
  EXPECT_FALSE(WatchMatches({"values/ip"}, {"values/ipv6"}));
  EXPECT_FALSE(WatchMatches({"values/ip"}, {"values/dns", "etc/app.conf"}));
  EXPECT_FALSE(WatchMatches({"values/ip"}, {}));
}

TEST(HooksTest, EnvironmentCarriesTheChange) {
  HookEvent ev;
  ev.sequence = 3;
  ev.kind = "replace";
  ev.classes = {"infra"};
  ev.generations = {{"infra", 4}, {"service", 1}};
  ev.changed_paths = {"values/a", "values/b"};
  const auto env = HookEnvironment(ev, "/run/tern/context");
  EXPECT_EQ(env, (std::vector<std::string>{"TERN_EVENT=replace", "TERN_CHANGE_SEQ=3",
                                           "TERN_CHANGED_CLASSES=infra", "TERN_GENERATIONS=infra=4 service=1",
                                           "TERN_CHANGED_PATHS=values/a\nvalues/b",
                                           "TERN_CONTEXT=/run/tern/context"}));
}

TEST(HooksTest, RunnerRunsMatchingHooksOnceAndSurvivesFailures) {
  TempTree t;
  const std::string out = t / "out.txt";
  t.File("hooks/10-all", "#!/bin/sh\necho \"all $TERN_CHANGE_SEQ\" >> " + out + "\n");
  t.File("hooks/20-fail", "#!/bin/sh\nexit 3\n");
  t.File("hooks/30-ip", "#!/bin/sh\n# tern-watch: values/ip\necho \"ip $TERN_CHANGE_SEQ\" >> " + out + "\n");
  for (const char* h : {"hooks/10-all", "hooks/20-fail", "hooks/30-ip"}) ::chmod((t / h).c_str(), 0755);
  {
    HookRunner runner({t / "hooks"}, "/mnt");
    runner.Enqueue({1, "add", {"a"}, {}, {"values/dns"}});
    runner.Enqueue({2, "replace", {"a"}, {}, {"values/ip"}});
  }  // the destructor drains the queue
  std::ifstream in(out);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "all 1\nall 2\nip 2\n");
}

TEST(HooksTest, ListsExecutablesOfAllDirectoriesByName) {
  TempTree t;
  t.File("etc/20-b", "#!/bin/sh\n");
  t.File("etc/10-a", "#!/bin/sh\n");
  t.File("etc/10-a.watch", "values/a\n");
  t.File("etc/.hidden", "#!/bin/sh\n");
  t.File("etc/30-not-executable", "#!/bin/sh\n");
  t.File("layer/15-c", "#!/bin/sh\n");
  t.File("layer/20-b", "#!/bin/sh\n");
  for (const char* h : {"etc/20-b", "etc/10-a", "etc/10-a.watch", "etc/.hidden", "layer/15-c", "layer/20-b"})
    ::chmod((t / h).c_str(), 0755);
  EXPECT_EQ(ListHooks({t / "etc", t / "missing", t / "layer"}),
            (std::vector<std::string>{t / "etc/10-a", t / "layer/15-c", t / "etc/20-b", t / "layer/20-b"}));
}

TEST(HooksTest, ExportsTheHooksOfALayerWithTheirModes) {
  TempTree t;
  t.File("layer/hooks/10-site", "#!/bin/sh\necho site\n");
  t.File("layer/hooks/10-site.watch", "values/site\n");
  t.File("layer/hooks/sub/ignored", "x");
  t.File("layer/values/site", "lab-a");
  ::chmod((t / "layer/hooks/10-site").c_str(), 0750);
  for (const bool snapshot : {false, true}) {
    auto layer = Layer::Open({"service", t / "layer", 10, 1, snapshot});
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    const std::string dest = t / (snapshot ? "out-snapshot" : "out-dir");
    t.File(snapshot ? "out-snapshot/stale" : "out-dir/stale", "old");
    ASSERT_TRUE(ExportLayerHooks(**layer, dest).ok());
    EXPECT_EQ(ListHooks({dest}), std::vector<std::string>{dest + "/10-site"});
    std::ifstream in(dest + "/10-site");
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(body, "#!/bin/sh\necho site\n");
    struct stat st {};
    ASSERT_EQ(::stat((dest + "/10-site").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0750U);
    EXPECT_EQ(ReadHookWatches(dest + "/10-site"), std::vector<std::string>{"values/site"});
    EXPECT_FALSE(std::filesystem::exists(dest + "/stale"));
    EXPECT_FALSE(std::filesystem::exists(dest + "/sub"));
    ASSERT_TRUE(ClearLayerHooks(dest).ok());
    EXPECT_FALSE(std::filesystem::exists(dest));
  }
}

}  // namespace
}  // namespace tern::guest
