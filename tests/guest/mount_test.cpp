// The mounted union on the host (root, /dev/fuse): files held open while their layer leaves or changes, bad
// control requests, and the hooks a layer ships, run once per change of what they watch.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "guest/control.h"
#include "temp_tree.h"
#include "union_process.h"

namespace tern::guest {
namespace {

namespace fs = std::filesystem;
using testing::TempTree;
using testing::UnionProcess;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> Names(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// pread from offset 0: the bytes, or "errno:<name>".
std::string PreadAll(int fd) {
  char buf[256];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n < 0) return std::string("errno:") + strerrorname_np(errno);
  return std::string(buf, static_cast<size_t>(n));
}

// Sends one raw line to the control socket and returns the raw reply line.
std::string RawControl(const std::string& socket_path, const std::string& line) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override { TERN_GUEST_REQUIRE(testing::MountUnavailableReason()); }
  TempTree tmp_;
  UnionProcess union_{tmp_.path()};
  std::string U(const std::string& rel) { return union_.mountpoint() + "/" + rel; }
};

TEST_F(MountTest, FilesHeldOpenWhileTheirLayerLeavesReadEioAndTheUnionStaysIntact) {
  tmp_.File("low/values/a", "low-a");
  tmp_.File("low/values/b", "low-b");
  tmp_.File("high/values/a", "high-a");
  tmp_.File("high/values/only-high", "mine");
  tmp_.File("next/values/a", "next-a");
  ASSERT_TRUE(union_.Start({"--layer", tmp_ / "low:10", "--layer", tmp_ / "high:20"}));

  const int only_high = ::open(U("values/only-high").c_str(), O_RDONLY);
  const int a = ::open(U("values/a").c_str(), O_RDONLY);
  const int b = ::open(U("values/b").c_str(), O_RDONLY);
  ASSERT_GE(only_high, 0);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(PreadAll(only_high), "mine");
  EXPECT_EQ(PreadAll(a), "high-a");
  EXPECT_EQ(PreadAll(b), "low-b");

  // The layer leaves (as when its disc is ejected).
  ASSERT_EQ(union_.Ctl("layer remove high"), 0);
  EXPECT_EQ(PreadAll(only_high), "errno:EIO");
  struct stat st {};
  EXPECT_EQ(::fstat(only_high, &st), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(PreadAll(a), "low-a");  // still in the union: the new winner, never the old bytes
  EXPECT_EQ(PreadAll(b), "low-b");
  EXPECT_FALSE(fs::exists(U("values/only-high")));
  EXPECT_EQ(Names(U("values")), (std::set<std::string>{"a", "b"}));

  // Replaced by a layer without values/b: b's holder gets EIO too.
  ASSERT_EQ(union_.Ctl("layer replace " + tmp_ / "next:10 --name low"), 0);
  EXPECT_EQ(PreadAll(b), "errno:EIO");
  EXPECT_EQ(PreadAll(a), "next-a");
  EXPECT_EQ(Names(U("values")), std::set<std::string>{"a"});
  for (const int fd : {only_high, a, b}) ::close(fd);
  EXPECT_TRUE(union_.Alive());
  EXPECT_EQ(union_.Ctl("status"), 0);
}

TEST_F(MountTest, MalformedControlRequestsAreRefusedAndChangeNothing) {
  tmp_.File("l/values/a", "1");
  ASSERT_TRUE(union_.Start({"--layer", tmp_ / "l:10"}));
  for (const auto& [request, expected] : std::vector<std::pair<std::string, std::string>>{
           {"not json\n", "control request is not a JSON object"},
           {"[1,2]\n", "control request is not a JSON object"},
           {"{\"op\":\"fly\"}\n", "unknown op 'fly'"},
           {"{\"op\":7}\n", "unknown op ''"},
           {"{\"op\":\"add\",\"name\":\"x\",\"dir\":\"/tmp\",\"priority\":\"high\"}\n",
            "'priority' must be an integer"},
           {"{\"op\":\"add\",\"name\":[],\"dir\":\"/tmp\"}\n", "'name' must be a string"},
           {"{\"op\":\"add\",\"name\":\"x\",\"dir\":\"/nonexistent/dir\",\"priority\":1}\n",
            "cannot open directory '/nonexistent/dir'"},
           {"{\"op\":\"add\",\"name\":\"l\",\"dir\":\"" + tmp_.path() + "\",\"priority\":1}\n",
            "layer 'l' is already in the union"},
           {"{\"op\":\"remove\",\"name\":\"nope\"}\n", "layer 'nope' is not in the union"},
           {"{\"op\":\"replace\",\"name\":\"nope\",\"dir\":\"/tmp\",\"generation\":-1}\n",
            "'generation' must be a non-negative integer"},
       }) {
    const std::string reply = RawControl(union_.socket(), request);
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos) << request << " -> " << reply;
    EXPECT_NE(reply.find(expected), std::string::npos) << request << " -> " << reply;
  }
  auto status = ControlRequest(union_.socket(), {{"op", "status"}});
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["changes"], 0);
  ASSERT_EQ((*status)["layers"].size(), 1U);
  EXPECT_EQ(ReadAll(U("values/a")), "1");
  EXPECT_TRUE(union_.Alive());
}

TEST_F(MountTest, HooksShippedInALayerRunOncePerChangeOfWhatTheyWatch) {
  const std::string out = tmp_ / "runs.txt";
  tmp_.File(
      "svc/hooks/10-ip",
      "#!/bin/sh\n# tern-watch: values/ip\nprintf '%s|%s|%s|%s|%s\\n' \"$TERN_CHANGE_SEQ\" \"$TERN_EVENT\" "
      "\"$TERN_CHANGED_CLASSES\" \"$TERN_GENERATIONS\" \"$(cat \"$TERN_CONTEXT/values/ip\" 2>/dev/null)\" "
      ">> " +
          out + "\n");
  ::chmod((tmp_ / "svc/hooks/10-ip").c_str(), 0755);
  tmp_.File("svc/values/app", "shop");
  tmp_.File("infra1/values/ip", "10.0.0.1");
  tmp_.File("infra2/values/ip", "10.0.0.2");
  tmp_.File("infra3/values/ip", "10.0.0.2");  // same key, new generation
  ASSERT_TRUE(union_.Start(
      {"--layer", tmp_ / "svc:10", "--layer-hooks", "svc", "--layer-hooks-dir", tmp_ / "hooks-svc"}));
  EXPECT_TRUE(fs::exists(tmp_ / "hooks-svc/10-ip"));  // exported for the initial layer too
  // Hooks run on their own thread, in order, and see the union as it is when they run: wait for each
  // expected run before the next change.
  auto wait_for = [&](const std::string& run) {
    for (int i = 0; i < 500 && ReadAll(out).find(run) == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  ASSERT_EQ(union_.Ctl("layer add " + tmp_ / "infra1:20 --name infra --generation 1"), 0);
  wait_for("1|add");
  ASSERT_EQ(union_.Ctl("layer replace " + tmp_ / "infra2:20 --name infra --generation 2"), 0);
  wait_for("2|replace");
  ASSERT_EQ(union_.Ctl("layer replace " + tmp_ / "infra3:20 --name infra --generation 3"), 0);
  ASSERT_EQ(union_.Ctl("layer remove infra"), 0);
  wait_for("4|remove");
  EXPECT_EQ(ReadAll(out),
            "1|add|infra|infra=1 svc=0|10.0.0.1\n"
            "2|replace|infra|infra=2 svc=0|10.0.0.2\n"
            "4|remove|infra|svc=0|\n")
      << "change 3 changed no watched key and must not run the hook";
}

}  // namespace
}  // namespace tern::guest
