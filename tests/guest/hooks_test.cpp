// Unit tests of hook watch declarations, matching and environment.
#include "guest/hooks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

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

TEST(HooksTest, MatchingIsByPathPrefixEitherWay) {
  EXPECT_TRUE(WatchMatches({}, {"anything"}));
  EXPECT_TRUE(WatchMatches({"values/ip"}, {"values/ip"}));
  EXPECT_TRUE(WatchMatches({"values"}, {"values/ip"}));
  EXPECT_TRUE(WatchMatches({"values/ip"}, {"values"}));
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
    HookRunner runner(t / "hooks", "/mnt");
    runner.Enqueue({1, "add", {"a"}, {}, {"values/dns"}});
    runner.Enqueue({2, "replace", {"a"}, {}, {"values/ip"}});
  }  // the destructor drains the queue
  std::ifstream in(out);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "all 1\nall 2\nip 2\n");
}

}  // namespace
}  // namespace tern::guest
