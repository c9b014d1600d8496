// End to end: tern-guest inside a real VM deployed by ternd on a simulated host. One boot covers: the union
// view of the service, infrastructure and extra layers read through the mounted union; a live swap of the
// infrastructure layer (ternd recontextualizes after a config change) reflected in the union, with the hook
// watching the changed key run exactly once with the right environment; a swap that changes no watched key
// running no watching hook; and bad media in the extra layer's drive (a corrupt image, a foreign ISO, a disc
// claiming the service class, an unreadable image, an eject while a file of the layer is held open), each
// logged while the union stays consistent and the agent runs on.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "context/iso_builder.h"
#include "context/iso_handles.h"
#include "core/files.h"
#include "ternd_cluster.h"

namespace tern::testing {
namespace {

constexpr auto kGuestReady = std::chrono::seconds(90);
constexpr auto kSeen = std::chrono::seconds(30);

// A service-layer hook printing its change as one marker line; `watch` is its tern-watch declaration.
std::string MarkerHook(const std::string& name, const std::string& watch) {
  return "#!/bin/sh\n# tern-watch: " + watch +
         "\njoin() { out=; for w in \"$@\"; do out=\"$out${out:+,}$w\"; done; echo \"$out\"; }\n"
         "IFS= read -r v <\"$TERN_CONTEXT/" +
         watch +
         "\"\n"
         "echo \"TERN:HOOK name=" +
         name +
         " seq=$TERN_CHANGE_SEQ event=$TERN_EVENT classes=$(join $TERN_CHANGED_CLASSES) "
         "generations=$(join $TERN_GENERATIONS) paths=$(join $TERN_CHANGED_PATHS) value=$v\"\n";
}

// Holds values/extra open once it appears, and reports what reading the held descriptor gives after the
// file left the union.
const char* kHoldHook = R"SH(#!/bin/sh
# tern-watch: values/extra
f="$TERN_CONTEXT/values/extra"
[ -f "$f" ] || exit 0
[ -e /run/tern-hold ] && exit 0
touch /run/tern-hold
(
  exec 3<"$f"
  IFS= read -r v <&3
  echo "TERN:HOLD opened value=$v"
  while [ -e "$f" ]; do usleep 200000; done
  out=$(cat <&3 2>&1)
  echo "TERN:HOLD after-removal value=$v rc=$? out=$out"
  rm -f /run/tern-hold
) </dev/null &
)SH";

std::string Indented(const std::string& text, int spaces) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    out += std::string(static_cast<size_t>(spaces), ' ') + line + "\n";
  return out;
}

std::string HookFile(const std::string& name, const std::string& body) {
  return "      - path: hooks/" + name + "\n        mode: \"0755\"\n        content: |\n" +
         Indented(body, 10);
}

// An ISO 9660 image without tern metadata (libisofs, Rock Ridge).
Result<std::string> ForeignIso() {
  TERN_RETURN_IF_ERROR(context::iso::EnsureInitialized());
  IsoImage* raw = nullptr;
  if (int rc = iso_image_new("FOREIGN", &raw); rc < 0) return context::iso::Error("iso_image_new", rc);
  context::iso::ImagePtr image(raw);
  static char readme[] = "not a tern layer\n";
  auto* buf = static_cast<unsigned char*>(std::malloc(sizeof readme));
  std::memcpy(buf, readme, sizeof readme);
  IsoStream* stream = nullptr;
  if (int rc = iso_memory_stream_new(buf, sizeof readme - 1, &stream); rc < 0) {
    std::free(buf);
    return context::iso::Error("stream", rc);
  }
  if (int rc =
          iso_image_add_new_file(image.get(), iso_image_get_root(image.get()), "README", stream, nullptr);
      rc < 0) {
    iso_stream_unref(stream);
    return context::iso::Error("add README", rc);
  }
  IsoWriteOpts* opts_raw = nullptr;
  if (int rc = iso_write_opts_new(&opts_raw, 1); rc < 0) return context::iso::Error("write opts", rc);
  context::iso::WriteOptsPtr opts(opts_raw);
  burn_source* src_raw = nullptr;
  if (int rc = iso_image_create_burn_source(image.get(), opts.get(), &src_raw); rc < 0)
    return context::iso::Error("burn source", rc);
  context::iso::BurnSourcePtr src(src_raw);
  std::string bytes;
  unsigned char block[2048];
  for (int n; (n = src->read != nullptr ? src->read(src.get(), block, sizeof block)
                                        : src->read_xt(src.get(), block, sizeof block)) > 0;) {
    bytes.append(reinterpret_cast<const char*>(block), static_cast<size_t>(n));
  }
  return bytes;
}

// The number captured by `re` in `text`, or -1.
long FindNumber(const std::string& text, const std::string& re) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(re))) return -1;
  return std::stol(m[1].str());
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class GuestAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_INTEGRATION_PREREQS();
    // Two hosts although the VM stays on h1: the fixture writes an empty peer list for a lone host.
    auto c = TerndCluster::Start(2, {{{"site", "lab-a"}, {"motd", "from-infra"}}, {{"site", "lab-b"}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(c).value();
    dir_ = cluster_->hosts().run_dir() + "/agent";
    std::filesystem::create_directories(dir_);
  }

  // Waits for `needle` in the serial log; fails the test with the log's tail otherwise.
  std::string WaitFor(const std::string& needle) {
    auto log = WaitForFileContaining(cluster_->SerialLog(1, "agentvm"), needle, kSeen);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : "";
  }
  Status Virsh(const std::string& args) {
    return cluster_->hosts().Exec(1, "virsh -c qemu:///system " + args).status();
  }

  std::unique_ptr<TerndCluster> cluster_;
  std::string dir_;
};

TEST_F(GuestAgentTest, UnionHooksSwapsAndBadMediaInOneBoot) {
  // ---- deploy: service (with hooks), the host's infrastructure, and an extra class ---------------------
  const std::string guest = TestGuestDir();
  const std::string manifest = dir_ + "/agentvm.yaml";
  ASSERT_TRUE(WriteFileAtomic(manifest, "vm:\n  name: agentvm\n  memory_mib: 192\n  boot:\n    kernel: " +
                                            guest + "/vmlinuz\n    initrd: " + guest +
                                            "/initrd.img\n    cmdline: \"console=ttyS0 panic=-1\"\n"
                                            "context:\n  service:\n    priority: 10\n"
                                            "    values: {app: shop, motd: from-service}\n    files:\n" +
                                            HookFile("10-site", MarkerHook("10-site", "values/site")) +
                                            HookFile("20-app", MarkerHook("20-app", "values/app")) +
                                            HookFile("30-hold", kHoldHook) +
                                            "  extra:\n    priority: 30\n    values: {extra: one}\n")
                  .ok());
  auto r = cluster_->Tern(1, "vm deploy " + ShellQuote(manifest));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err << r->out;

  // ---- the union view: three layers merged by priority, read through the mount ------------------------
  std::string log = WaitFor("TERN:VIEW seq=3 end files=");
  for (const char* added : {"event=add class=service priority=10 generation=1",
                            "event=add class=infrastructure priority=20 generation=1",
                            "event=add class=extra priority=30 generation=1"}) {
    EXPECT_NE(log.find(added), std::string::npos) << added << "\n" << log;
  }
  for (const char* line :
       {"TERN:VIEW seq=3 path=values/app value=shop", "TERN:VIEW seq=3 path=values/motd value=from-infra",
        "TERN:VIEW seq=3 path=values/site value=lab-a", "TERN:VIEW seq=3 path=values/extra value=one",
        "TERN:VIEW seq=3 path=hooks/10-site value=#!/bin/sh"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
  }
  EXPECT_EQ(log.find("TERN:WARN"), std::string::npos) << log;
  EXPECT_EQ(log.find("TERN:FFS level=warn"), std::string::npos) << log;
  EXPECT_EQ(log.find("TERN:FFS level=error"), std::string::npos) << log;
  // init's own markers are intact next to the agent's (each marker is a whole line).
  EXPECT_NE(log.find("\nTERN:FILE-CONTENT dev=sr"), std::string::npos) << log;
  log = WaitFor("TERN:HOOK name=20-app");
  EXPECT_NE(log.find("name=20-app seq="), std::string::npos) << log;

  // ---- live swap: the host's site changes, ternd swaps the infrastructure disc (generation 2) ---------
  const std::string config = cluster_->ternd(1).config;
  auto text = ReadFile(config);
  ASSERT_TRUE(text.ok());
  std::string changed = *text;
  changed.replace(changed.find("lab-a"), 5, "lab-z");
  ASSERT_TRUE(WriteFileAtomic(config, changed).ok());
  ASSERT_EQ(::kill(cluster_->ternd(1).pid, SIGHUP), 0);
  log = WaitFor("event=replace class=infrastructure priority=20 generation=2 paths=1 changed=values/site");
  const long swap_seq =
      FindNumber(log, R"(change seq=(\d+) event=replace class=infrastructure priority=20 generation=2)");
  ASSERT_GT(swap_seq, 3);
  const std::string seq = "seq=" + std::to_string(swap_seq) + " ";
  log = WaitFor("TERN:HOOK name=10-site " + seq);
  EXPECT_NE(log.find("TERN:HOOK name=10-site " + seq +
                     "event=replace classes=infrastructure generations=extra=1,infrastructure=2,service=1 "
                     "paths=values/site value=lab-z"),
            std::string::npos)
      << log;
  log = WaitFor("TERN:VIEW " + seq + "end files=");
  EXPECT_NE(log.find("TERN:VIEW " + seq + "path=values/site value=lab-z"), std::string::npos) << log;
  EXPECT_NE(log.find("TERN:VIEW " + seq + "path=values/motd value=from-infra"), std::string::npos) << log;
  EXPECT_EQ(log.find("TERN:VIEW " + seq + "path=values/site value=lab-a"), std::string::npos) << log;

  // ---- a swap that changes no key: generation 3 joins, no watching hook runs -------------------------
  r = cluster_->Tern(1, "vm recontext agentvm");
  ASSERT_EQ(r->exit_code, 0) << r->err;
  log = WaitFor("event=replace class=infrastructure priority=20 generation=3 paths=0");
  const long same_seq =
      FindNumber(log, R"(change seq=(\d+) event=replace class=infrastructure priority=20 generation=3)");
  ASSERT_EQ(same_seq, swap_seq + 1) << log;

  // ---- bad media in the extra layer's drive ------------------------------------------------------------
  auto blk = cluster_->hosts().Exec(1, "virsh -c qemu:///system domblklist agentvm --details");
  ASSERT_TRUE(blk.ok()) << blk.status().ToString();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*blk, m, std::regex(R"(cdrom\s+(\w+)\s+\S*extra-g1\.iso)"))) << *blk;
  const std::string extra_dev = m[1].str();
  // QEMU sometimes refuses a media change while the guest still holds the tray ("Tray of the device is
  // not open"); like ternd's swap, try again.
  auto change_media = [&](const std::string& args) {
    Status s;
    for (int attempt = 0; attempt < 10; ++attempt) {
      s = Virsh("change-media agentvm " + extra_dev + " " + args);
      if (s.ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    FAIL() << s.ToString();
  };
  auto put = [&](const std::string& file) { change_media(ShellQuote(file) + " --update"); };
  std::string corrupt(64 * 1024, '\0');
  std::mt19937 rng(4);
  for (char& c : corrupt) c = static_cast<char>(rng());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/corrupt.iso", corrupt).ok());
  auto foreign = ForeignIso();
  ASSERT_TRUE(foreign.ok()) << foreign.status().ToString();
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/foreign.iso", *foreign).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/short.img", std::string(4096, 'x')).ok());
  context::ContextClass intruder{"service", 10, {{"app", "intruder"}}, {}};
  ASSERT_TRUE(
      context::WriteLayerIso(intruder, {"service", 10, 9, "test:intruder"}, {}, dir_ + "/service-g9.iso")
          .ok());
  context::ContextClass extra2{"extra", 30, {{"extra", "held"}}, {}};
  ASSERT_TRUE(
      context::WriteLayerIso(extra2, {"extra", 30, 2, "test:extra"}, {}, dir_ + "/extra-g2.iso").ok());

  put(dir_ + "/corrupt.iso");
  log = WaitFor("the disc is not a readable ISO 9660 image (corrupt or foreign)");
  log = WaitFor("event=remove class=extra priority=30 generation=1");
  // The layer left while the holder hook had values/extra open (a removal as after an eject).
  log = WaitFor("TERN:HOLD after-removal value=one ");
  EXPECT_NE(log.find("TERN:HOLD after-removal value=one rc=1 out=cat: read error: Input/output error"),
            std::string::npos)
      << log;
  put(dir_ + "/foreign.iso");
  WaitFor("not a tern layer (the disc has no /.tern/layer.json)");
  put(dir_ + "/service-g9.iso");
  WaitFor("its disc claims class 'service' (generation 9), which another layer already provides");
  put(dir_ + "/short.img");
  WaitFor("cannot read the drive: Input/output error");
  put(dir_ + "/extra-g2.iso");
  log = WaitFor("TERN:HOLD opened value=held");
  const long add_seq = FindNumber(log, R"(change seq=(\d+) event=add class=extra priority=30 generation=2)");
  ASSERT_GT(add_seq, same_seq);
  change_media("--eject");
  // The file held open while its layer left (an eject) reads as EIO, never as stale or other bytes.
  log = WaitFor("TERN:HOLD after-removal value=held ");
  EXPECT_NE(log.find("TERN:HOLD after-removal value=held rc=1 out=cat: read error: Input/output error"),
            std::string::npos)
      << log;
  const long eject_seq =
      FindNumber(log, R"(change seq=(\d+) event=remove class=extra priority=30 generation=2)");
  ASSERT_EQ(eject_seq, add_seq + 1) << log;
  const std::string eseq = "seq=" + std::to_string(eject_seq) + " ";
  log = WaitFor("TERN:VIEW " + eseq + "end files=");
  EXPECT_EQ(log.find("TERN:VIEW " + eseq + "path=values/extra"), std::string::npos) << log;
  EXPECT_NE(log.find("TERN:VIEW " + eseq + "path=values/app value=shop"), std::string::npos) << log;
  EXPECT_NE(log.find("TERN:VIEW " + eseq + "path=values/site value=lab-z"), std::string::npos) << log;

  // ---- the agent runs on: one more swap is served ------------------------------------------------------
  r = cluster_->Tern(1, "vm recontext agentvm");
  ASSERT_EQ(r->exit_code, 0) << r->err;
  log = WaitFor("event=replace class=infrastructure priority=20 generation=4 paths=0");
  log = WaitFor("TERN:HOOK name=00-view seq=" + std::to_string(eject_seq + 1) + " ");

  // Every hook ran once per change of what it watches: after the boot, 10-site ran for the swap only.
  std::vector<long> site_runs;
  const std::regex site_run(R"(\nTERN:HOOK name=10-site seq=(\d+) )");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), site_run); it != std::sregex_iterator(); ++it) {
    if (const long n = std::stol((*it)[1].str()); n > 3) site_runs.push_back(n);
  }
  EXPECT_EQ(site_runs, std::vector<long>{swap_seq}) << log;
  EXPECT_EQ(Count(log, "\nTERN:HOOK name=20-app "), 1U) << log;
  EXPECT_EQ(Count(log, "\nTERN:HOOK name=10-site seq=" + std::to_string(same_seq) + " "), 0U) << log;
  EXPECT_EQ(Count(log, "\nTERN:HOOK name=00-view seq=" + std::to_string(same_seq) + " "), 1U) << log;
  // The agent never stopped and never crashed.
  EXPECT_EQ(log.find("Kernel panic"), std::string::npos) << log;
  EXPECT_EQ(log.find("segfault"), std::string::npos) << log;
}

}  // namespace
}  // namespace tern::testing
