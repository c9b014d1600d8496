// Conformance of the union with kernel overlayfs (lowerdir in priority order): random layer sets with
// overlapping paths, nested and empty directories, symlinks, opaque directories and type conflicts; also
// after layers are replaced and removed at runtime while readers keep reading. Needs root and /dev/fuse.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "temp_tree.h"
#include "union_process.h"

namespace tern::guest {
namespace {

namespace fs = std::filesystem;
using testing::TempTree;

struct Seen {
  char type = '?';
  uint64_t size = 0;
  unsigned mode = 0;
  std::string content;  // file bytes or link target
  bool operator==(const Seen&) const = default;
};

std::map<std::string, Seen> Walk(const std::string& root) {
  std::map<std::string, Seen> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    const std::string p = it->path().string();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    Seen s;
    s.mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode)) {
      s.type = 'd';
    } else if (S_ISLNK(st.st_mode)) {
      s.type = 'l';
      s.size = static_cast<uint64_t>(st.st_size);
      s.content = fs::read_symlink(p, ec).string();
    } else {
      s.type = 'f';
      s.size = static_cast<uint64_t>(st.st_size);
      // POSIX reads: readers racing a layer change may get ENOENT or EIO, which must not throw.
      const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
      char buf[8192];
      for (ssize_t n = 0; fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0;)
        s.content.append(buf, static_cast<size_t>(n));
      if (fd >= 0) ::close(fd);
    }
    out[p.substr(root.size())] = s;
  }
  return out;
}

// A random layer: names from small pools so that layers overlap and conflict.
void RandomLayer(const std::string& root, std::mt19937& rng, int salt) {
  fs::create_directories(root);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const int entries = 15 + pick(25);
  for (int i = 0; i < entries; ++i) {
    std::string dir = root;
    const int depth = pick(4);
    bool ok = true;
    for (int d = 0; d < depth && ok; ++d) {
      dir += "/d" + std::to_string(pick(3));
      struct stat st {};
      if (::lstat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) ok = false;
      if (ok) fs::create_directories(dir);
    }
    if (!ok) continue;
    const int kind = pick(10);
    const std::string name = dir + "/" + (kind < 7 ? "f" : "d") + std::to_string(pick(4));
    struct stat st {};
    if (::lstat(name.c_str(), &st) == 0) continue;
    if (kind < 6) {
      std::ofstream(name) << "layer " << salt << " " << name.substr(root.size())
                          << std::string(pick(3000), 'x');
      ::chmod(name.c_str(), pick(2) ? 0644 : 0600);
    } else if (kind == 6) {
      fs::create_symlink("target-" + std::to_string(salt) + "-" + std::to_string(pick(5)), name);
    } else {
      fs::create_directories(name);  // may stay empty
      if (pick(6) == 0) ::setxattr(name.c_str(), "trusted.overlay.opaque", "y", 1, 0);
    }
  }
  // Type conflicts on purpose: "d0" as a file in some layers.
  if (pick(4) == 0 && !fs::exists(root + "/d1")) std::ofstream(root + "/d1") << "file " << salt;
}

// Why kernel overlayfs cannot be mounted here (the reference of this test), or "".
std::string OverlayUnavailableReason() {
  std::ifstream in("/proc/filesystems");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.find("\toverlay\n") == std::string::npos ? "kernel overlayfs not available" : "";
}

class UnionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_GUEST_REQUIRE(testing::MountUnavailableReason());
    TERN_GUEST_REQUIRE(OverlayUnavailableReason());
    fs::create_directories(tmp_ / "overlay");
  }
  void TearDown() override {
    ::umount2((tmp_ / "overlay").c_str(), MNT_DETACH);
    union_.Stop();
  }
  // layers: (dir, priority), any order.
  void StartUnion(const std::vector<std::pair<std::string, int>>& layers) {
    std::vector<std::string> args;
    for (const auto& [dir, prio] : layers) {
      args.push_back("--layer");
      args.push_back(dir + ":" + std::to_string(prio));
    }
    ASSERT_TRUE(union_.Start(args)) << "tern-guest did not start";
  }
  // Overlayfs over the layers, highest priority first.
  void MountOverlay(const std::vector<std::string>& highest_first) {
    ::umount2((tmp_ / "overlay").c_str(), MNT_DETACH);
    std::string lower;
    for (const auto& d : highest_first) lower += (lower.empty() ? "" : ":") + d;
    if (highest_first.size() == 1) lower += ":" + empty_dir();
    const std::string opts = "lowerdir=" + lower;
    ASSERT_EQ(::mount("overlay", (tmp_ / "overlay").c_str(), "overlay", MS_RDONLY, opts.c_str()), 0)
        << "overlay mount: " << std::strerror(errno) << " (" << opts << ")";
  }
  std::string empty_dir() {
    fs::create_directories(tmp_ / "empty");
    return tmp_ / "empty";
  }
  int Ctl(const std::string& args) { return union_.Ctl(args); }
  void ExpectSameViews(const std::string& what) {
    const auto ours = Walk(union_.mountpoint());
    const auto theirs = Walk(tmp_ / "overlay");
    EXPECT_GT(theirs.size(), 0U) << what;
    for (const auto& [p, s] : theirs) {
      auto it = ours.find(p);
      if (it == ours.end()) {
        ADD_FAILURE() << what << ": missing in the union: " << p;
        continue;
      }
      EXPECT_EQ(it->second.type, s.type) << what << ": " << p;
      EXPECT_EQ(it->second.mode, s.mode) << what << ": " << p;
      EXPECT_EQ(it->second.size, s.size) << what << ": " << p;
      EXPECT_TRUE(it->second.content == s.content) << what << ": content of " << p;
    }
    for (const auto& [p, s] : ours) {
      if (theirs.count(p) == 0) ADD_FAILURE() << what << ": extra in the union: " << p;
    }
  }

  TempTree tree_;
  fs::path tmp_ = tree_.path();
  testing::UnionProcess union_{tree_.path()};
};

TEST_F(UnionFixture, RandomLayerSetsMatchOverlayfs) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    const int n = 2 + static_cast<int>(seed % 3);
    std::vector<std::pair<std::string, int>> layers;
    std::vector<std::string> highest_first;
    for (int i = 0; i < n; ++i) {
      const std::string dir = tmp_ / ("s" + std::to_string(seed) + "-l" + std::to_string(i));
      RandomLayer(dir, rng, i);
      layers.emplace_back(dir, 10 * (i + 1));
      highest_first.insert(highest_first.begin(), dir);
    }
    StartUnion(layers);
    MountOverlay(highest_first);
    ExpectSameViews("seed " + std::to_string(seed));
    TearDown();
  }
}

TEST_F(UnionFixture, ReplaceAndRemoveAtRuntimeWhileReading) {
  std::mt19937 rng(42);
  std::vector<std::string> dirs;
  for (int i = 0; i < 3; ++i) {
    dirs.push_back(tmp_ / ("l" + std::to_string(i)));
    RandomLayer(dirs.back(), rng, i);
  }
  StartUnion({{dirs[0], 10}, {dirs[1], 20}, {dirs[2], 30}});
  MountOverlay({dirs[2], dirs[1], dirs[0]});
  ExpectSameViews("initial");  // also fills the kernel's caches

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        (void)Walk(union_.mountpoint());
        ++reads;
      }
    });
  }
  for (int round = 0; round < 4; ++round) {
    const int victim = round % 3;
    const std::string next = tmp_ / ("r" + std::to_string(round));
    RandomLayer(next, rng, 100 + round);
    const std::string name = "l" + std::to_string(victim);  // the union keeps the first name
    ASSERT_EQ(Ctl("layer replace " + next + ":" + std::to_string(10 * (victim + 1)) + " --name " + name), 0);
    dirs[static_cast<size_t>(victim)] = next;
    // The replaced layer keeps its name; the overlay gets the new directory.
    MountOverlay({dirs[2], dirs[1], dirs[0]});
    ExpectSameViews("after replace round " + std::to_string(round));
  }
  ASSERT_EQ(Ctl("layer remove l1"), 0);
  MountOverlay({dirs[2], dirs[0]});
  ExpectSameViews("after remove");
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0U);
}

}  // namespace
}  // namespace tern::guest
