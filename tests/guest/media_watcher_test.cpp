// Unit tests of the media watcher's decisions with fake drives, a fake disc loader (prepared directories
// instead of mounted discs) and a recording layer sink over a real LayerStack: inserts, swaps, ejects with
// their grace period, corrupt and foreign discs, class conflicts, unreadable and unplugged drives.
#include "guest/media_watcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "guest/log.h"
#include "temp_tree.h"

namespace tern::guest {
namespace {

using std::chrono::milliseconds;
using testing::TempTree;
using Clock = MediaWatcher::Clock;

// What happened, in order, across the fakes: "mount sr0-1", "add service g1", "publish sr0-1", ...
using Journal = std::vector<std::string>;

MediaReading Disc(uint64_t digest) {
  return {MediaStatus::kPresent, digest, 0};
}
MediaReading Empty() {
  return {};
}
MediaReading Unreadable(int err) {
  return {MediaStatus::kUnreadable, 0, err};
}

class FakeDrives : public DriveSource {
 public:
  std::map<std::string, MediaReading> now;
  // Readings handed out before `now`, once each (a disc changing while it is read).
  std::map<std::string, std::vector<MediaReading>> queued;
  std::vector<std::string> Drives() override {
    std::vector<std::string> out;
    for (const auto& [name, r] : now) out.push_back(name);
    return out;
  }
  MediaReading Read(const std::string& drive) override {
    auto& q = queued[drive];
    if (!q.empty()) {
      MediaReading r = q.front();
      q.erase(q.begin());
      return r;
    }
    return now.at(drive);
  }
};

// A disc image as the fake loader sees it: metadata and files, or the error mounting it gives.
struct FakeDisc {
  std::string error;  // non-empty: Load fails with this
  std::string cls;
  int priority = 0;
  uint64_t generation = 0;
  std::map<std::string, std::string> files;  // under the layer's tree
};

FakeDisc Broken(const std::string& error) {
  FakeDisc d;
  d.error = error;
  return d;
}

class FakeLoader : public DiscLoader {
 public:
  FakeLoader(FakeDrives& drives, Journal& journal) : drives_(drives), journal_(journal) {}
  std::map<uint64_t, FakeDisc> discs;  // by digest
  std::vector<std::string> mounted;

  Result<LoadedDisc> Load(const std::string& drive) override {
    const MediaReading r = drives_.now.at(drive);
    const FakeDisc& disc = discs.at(r.digest);
    if (!disc.error.empty()) return Status::InvalidArgument("drive " + drive + ": " + disc.error);
    LoadedDisc out;
    out.drive = drive;
    out.mount_dir = drive + "-" + std::to_string(++counter_);
    out.layer_dir = tree_ / out.mount_dir;
    tree_.Dir(out.mount_dir);
    for (const auto& [path, content] : disc.files) tree_.File(out.mount_dir + "/" + path, content);
    out.meta = {disc.cls, disc.priority, disc.generation, "test"};
    mounted.push_back(out.mount_dir);
    journal_.push_back("mount " + out.mount_dir);
    return out;
  }
  void Publish(const LoadedDisc& disc) override { journal_.push_back("publish " + disc.mount_dir); }
  void Unload(const LoadedDisc& disc) override {
    auto it = std::find(mounted.begin(), mounted.end(), disc.mount_dir);
    ASSERT_NE(it, mounted.end()) << "unmount of a disc not mounted: " << disc.mount_dir;
    mounted.erase(it);
    journal_.push_back("unmount " + disc.mount_dir);
  }

 private:
  FakeDrives& drives_;
  Journal& journal_;
  TempTree tree_;
  int counter_ = 0;
};

class RecordingSink : public LayerSink {
 public:
  explicit RecordingSink(Journal& journal) : journal_(journal) {}
  LayerStack stack;
  Result<LayerChange> AddLayer(std::shared_ptr<const Layer> layer) override {
    journal_.push_back("add " + Describe(*layer));
    return stack.Add(std::move(layer));
  }
  Result<LayerChange> ReplaceLayer(std::shared_ptr<const Layer> layer) override {
    journal_.push_back("replace " + Describe(*layer));
    return stack.Replace(std::move(layer));
  }
  Result<LayerChange> RemoveLayer(const std::string& name) override {
    journal_.push_back("remove " + name);
    return stack.Remove(name);
  }
  bool HasLayer(const std::string& name) override {
    for (const auto& l : stack.Current()->layers) {
      if (l->name() == name) return true;
    }
    return false;
  }
  // The content the union shows at `path` ("" when absent), read through the winning layer.
  std::string Visible(const std::string& path) {
    for (const auto& l : stack.Current()->layers) {
      if (l->Find(path) != nullptr) {
        auto bytes = l->ReadWholeFile(path);
        return bytes.ok() ? *bytes : "<" + bytes.status().ToString() + ">";
      }
    }
    return "";
  }

 private:
  static std::string Describe(const Layer& l) {
    return l.name() + " g" + std::to_string(l.spec().generation) + (l.snapshot() ? "" : " (not a snapshot)");
  }
  Journal& journal_;
};

class MediaWatcherTest : public ::testing::Test {
 protected:
  MediaWatcherTest() {
    SetLogCapture([this](LogLevel level, std::string_view m) {
      if (level >= LogLevel::kWarn) problems_.emplace_back(m);
    });
  }
  ~MediaWatcherTest() override { SetLogCapture({}); }

  void Scan(milliseconds at) { watcher_.Scan(t0_ + at); }
  // The journal since the last call.
  Journal Took() {
    Journal out(journal_.begin() + static_cast<long>(seen_), journal_.end());
    seen_ = journal_.size();
    return out;
  }
  Journal Problems() { return std::exchange(problems_, {}); }

  Journal journal_;
  size_t seen_ = 0;
  Journal problems_;
  FakeDrives drives_;
  FakeLoader loader_{drives_, journal_};
  RecordingSink sink_{journal_};
  MediaWatcher watcher_{drives_, loader_, sink_, {milliseconds(1000)}};
  Clock::time_point t0_ = Clock::now();
};

TEST_F(MediaWatcherTest, InsertedDiscsJoinTheUnionAsSnapshots) {
  loader_.discs[11] = {"", "service", 10, 1, {{"values/app", "shop"}, {"values/motd", "svc"}}};
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}, {"values/motd", "infra"}}};
  drives_.now = {{"sr0", Disc(11)}, {"sr1", Disc(21)}, {"sr2", Empty()}};
  Scan(milliseconds(0));
  EXPECT_EQ(Took(), (Journal{"mount sr0-1", "add service g1", "publish sr0-1", "mount sr1-2",
                             "add infrastructure g1", "publish sr1-2"}));
  EXPECT_EQ(sink_.Visible("values/motd"), "infra");
  EXPECT_EQ(sink_.Visible("values/app"), "shop");
  EXPECT_EQ(watcher_.Layers(),
            (std::map<std::string, std::string>{{"sr0", "service"}, {"sr1", "infrastructure"}, {"sr2", ""}}));
  Scan(milliseconds(200));  // nothing changed: nothing happens
  EXPECT_TRUE(Took().empty());
  EXPECT_TRUE(Problems().empty());
}

TEST_F(MediaWatcherTest, ASwapIsOneReplaceAndTheOldDiscIsUnmountedAfterIt) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  loader_.discs[22] = {"", "infrastructure", 20, 2, {{"values/site", "lab-b"}}};
  drives_.now = {{"sr1", Disc(21)}};
  Scan(milliseconds(0));
  Took();
  // ternd's swap: eject, then insert, within the grace period.
  drives_.now["sr1"] = Empty();
  Scan(milliseconds(200));
  EXPECT_TRUE(Took().empty());
  EXPECT_EQ(sink_.Visible("values/site"), "lab-a");  // the layer stays while the tray is open
  drives_.now["sr1"] = Disc(22);
  Scan(milliseconds(400));
  EXPECT_EQ(Took(), (Journal{"mount sr1-2", "replace infrastructure g2", "unmount sr1-1", "publish sr1-2"}));
  EXPECT_EQ(sink_.Visible("values/site"), "lab-b");
  Scan(milliseconds(2000));  // the earlier empty reading must not count as an eject any more
  EXPECT_TRUE(Took().empty());
  EXPECT_TRUE(Problems().empty());
}

TEST_F(MediaWatcherTest, AnEjectRemovesTheLayerOnlyAfterTheGracePeriod) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  drives_.now = {{"sr1", Disc(21)}};
  Scan(milliseconds(0));
  Took();
  drives_.now["sr1"] = Empty();
  Scan(milliseconds(100));
  Scan(milliseconds(900));
  EXPECT_TRUE(Took().empty());
  // The same disc back within the grace period: nothing happened.
  drives_.now["sr1"] = Disc(21);
  Scan(milliseconds(1000));
  EXPECT_TRUE(Took().empty());
  drives_.now["sr1"] = Empty();
  Scan(milliseconds(1200));
  Scan(milliseconds(2300));
  EXPECT_EQ(Took(), (Journal{"remove infrastructure", "unmount sr1-1"}));
  EXPECT_EQ(sink_.Visible("values/site"), "");
  EXPECT_EQ(loader_.mounted, Journal{});
  EXPECT_TRUE(Problems().empty());
}

TEST_F(MediaWatcherTest, ACorruptOrForeignDiscIsLoggedOnceAndTheDrivesLayerLeaves) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  loader_.discs[66] =
      Broken("the disc is not a readable ISO 9660 image (corrupt or foreign): Invalid argument");
  loader_.discs[67] = Broken("not a tern layer (the disc has no /.tern/layer.json)");
  drives_.now = {{"sr1", Disc(21)}};
  Scan(milliseconds(0));
  Took();
  drives_.now["sr1"] = Disc(66);
  Scan(milliseconds(200));
  EXPECT_EQ(Took(), (Journal{"remove infrastructure", "unmount sr1-1"}));
  Journal p = Problems();
  ASSERT_EQ(p.size(), 1U);
  EXPECT_NE(p[0].find("drive sr1: the disc is not a readable ISO 9660 image"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("the drive's layer 'infrastructure' leaves"), std::string::npos) << p[0];
  Scan(milliseconds(400));  // the same bad disc: not tried again, not logged again
  EXPECT_TRUE(Took().empty());
  EXPECT_TRUE(Problems().empty());
  drives_.now["sr1"] = Disc(67);
  Scan(milliseconds(600));
  EXPECT_TRUE(Took().empty());
  p = Problems();
  ASSERT_EQ(p.size(), 1U);
  EXPECT_NE(p[0].find("drive sr1: not a tern layer"), std::string::npos) << p[0];
  drives_.now["sr1"] = Disc(21);  // a good disc again
  Scan(milliseconds(800));
  EXPECT_EQ(Took(), (Journal{"mount sr1-2", "add infrastructure g1", "publish sr1-2"}));
  EXPECT_EQ(loader_.mounted, Journal{"sr1-2"});
}

TEST_F(MediaWatcherTest, ASecondDiscClaimingAClassWaitsUntilTheClassIsFree) {
  loader_.discs[11] = {"", "service", 10, 1, {{"values/app", "shop"}}};
  loader_.discs[12] = {"", "service", 10, 7, {{"values/app", "intruder"}}};
  drives_.now = {{"sr0", Disc(11)}, {"sr3", Empty()}};
  Scan(milliseconds(0));
  Took();
  drives_.now["sr3"] = Disc(12);
  Scan(milliseconds(200));
  EXPECT_EQ(Took(), (Journal{"mount sr3-2", "unmount sr3-2"}));
  Journal p = Problems();
  ASSERT_EQ(p.size(), 1U);
  EXPECT_NE(p[0].find("drive sr3: its disc claims class 'service' (generation 7), which another layer"),
            std::string::npos)
      << p[0];
  EXPECT_EQ(sink_.Visible("values/app"), "shop");
  Scan(milliseconds(400));
  EXPECT_TRUE(Took().empty());  // not retried while the class is taken
  EXPECT_TRUE(Problems().empty());
  // The first disc leaves: the waiting one takes the class.
  drives_.now["sr0"] = Empty();
  Scan(milliseconds(600));
  Scan(milliseconds(1700));
  EXPECT_EQ(Took(),
            (Journal{"remove service", "unmount sr0-1", "mount sr3-3", "add service g7", "publish sr3-3"}));
  EXPECT_EQ(sink_.Visible("values/app"), "intruder");
}

TEST_F(MediaWatcherTest, AnUnreadableDriveIsLoggedOnceAndItsLayerLeavesAfterTheGrace) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  drives_.now = {{"sr1", Disc(21)}, {"sr4", Unreadable(EIO)}};
  Scan(milliseconds(0));
  Took();
  Journal p = Problems();
  ASSERT_EQ(p.size(), 1U);
  EXPECT_NE(p[0].find("drive sr4: cannot read the drive: Input/output error"), std::string::npos) << p[0];
  Scan(milliseconds(200));
  EXPECT_TRUE(Problems().empty());
  drives_.now["sr1"] = Unreadable(EIO);
  Scan(milliseconds(400));
  Scan(milliseconds(1500));
  EXPECT_EQ(Took(), (Journal{"remove infrastructure", "unmount sr1-1"}));
  p = Problems();
  ASSERT_EQ(p.size(), 1U);
  EXPECT_NE(p[0].find("drive sr1: cannot read the drive"), std::string::npos) << p[0];
}

TEST_F(MediaWatcherTest, AnUnpluggedDrivesLayerLeavesAtOnce) {
  loader_.discs[31] = {"", "extra", 30, 1, {{"values/extra", "x"}}};
  drives_.now = {{"sr2", Disc(31)}};
  Scan(milliseconds(0));
  Took();
  drives_.now.clear();
  Scan(milliseconds(200));
  EXPECT_EQ(Took(), (Journal{"remove extra", "unmount sr2-1"}));
}

TEST_F(MediaWatcherTest, ADiscChangedWhileItIsReadIsReadAgain) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  loader_.discs[22] = {"", "infrastructure", 20, 2, {{"values/site", "lab-b"}}};
  drives_.now = {{"sr1", Disc(22)}};
  drives_.queued["sr1"] = {Disc(21)};  // the scan sees disc 21, the check after loading sees 22
  Scan(milliseconds(0));
  EXPECT_EQ(Took(), (Journal{"mount sr1-1", "unmount sr1-1"}));
  EXPECT_EQ(Problems().size(), 1U);
  Scan(milliseconds(200));
  EXPECT_EQ(Took(), (Journal{"mount sr1-2", "add infrastructure g2", "publish sr1-2"}));
}

TEST_F(MediaWatcherTest, ADriveWhoseLayerWasRemovedByHandGetsItBackWithTheNextDisc) {
  loader_.discs[21] = {"", "infrastructure", 20, 1, {{"values/site", "lab-a"}}};
  loader_.discs[22] = {"", "infrastructure", 20, 2, {{"values/site", "lab-b"}}};
  drives_.now = {{"sr1", Disc(21)}};
  Scan(milliseconds(0));
  ASSERT_TRUE(sink_.stack.Remove("infrastructure").ok());  // e.g. `tern-guest layer remove`
  Took();
  drives_.now["sr1"] = Disc(22);
  Scan(milliseconds(200));
  EXPECT_EQ(Took(), (Journal{"mount sr1-2", "replace infrastructure g2", "add infrastructure g2",
                             "unmount sr1-1", "publish sr1-2"}));
  EXPECT_EQ(sink_.Visible("values/site"), "lab-b");
}

TEST_F(MediaWatcherTest, ADriveWhoseDiscChangesClassSwapsTheLayers) {
  loader_.discs[41] = {"", "broker", 30, 1, {{"values/region", "eu"}}};
  loader_.discs[42] = {"", "legal", 40, 1, {{"values/law", "gdpr"}}};
  drives_.now = {{"sr0", Disc(41)}};
  Scan(milliseconds(0));
  Took();
  drives_.now["sr0"] = Disc(42);
  Scan(milliseconds(200));
  EXPECT_EQ(Took(),
            (Journal{"mount sr0-2", "remove broker", "unmount sr0-1", "add legal g1", "publish sr0-2"}));
}

}  // namespace
}  // namespace tern::guest
