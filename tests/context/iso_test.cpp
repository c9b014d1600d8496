#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "context/iso_builder.h"
#include "context/iso_reader.h"
#include "context/layer_metadata.h"
#include "core/files.h"
#include "temp_dir.h"

namespace tern::context {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

constexpr const char* kLongName = "context/etc/a-long-file-name.conf";

ContextClass Broker() {
  ContextClass c;
  c.name = "broker";
  c.priority = 30;
  c.values = {{"region", "eu"}, {"app_port", "8080"}};
  c.files = {{"etc/a-long-file-name.conf", "listen=8080\n", 0640},
             {"bin/hook.sh", "#!/bin/sh\necho hi\n", 0755},
             {"motd", "", 0644}};
  return c;
}

LayerMetadata Meta(uint64_t generation = 1) {
  return {"broker", 30, generation, "host:h1"};
}

IsoOptions Seed() {
  IsoOptions opts;
  opts.cloud_init_seed = true;
  opts.instance_id = "web1-1";
  opts.hostname = "web1";
  return opts;
}

std::string Build(const ContextClass& cls, const LayerMetadata& meta, const IsoOptions& opts = {}) {
  Result<std::string> r = BuildLayerIso(cls, meta, opts);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

IsoContents Read(const std::string& bytes, IsoTree tree = IsoTree::kRockRidge) {
  Result<IsoContents> r = ReadIso(bytes, tree);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : IsoContents{};
}

TEST(LayerVolumeLabelTest, Labels) {
  EXPECT_EQ(LayerVolumeLabel("broker", false), "TERN_BROKER");
  EXPECT_EQ(LayerVolumeLabel("legis-lation_2", false), "TERN_LEGIS_LATION_2");
  EXPECT_EQ(LayerVolumeLabel("service", true), "cidata");
  EXPECT_EQ(LayerVolumeLabel(std::string(40, 'a'), false), "TERN_" + std::string(27, 'A'));
}

// Guests tell media apart by the primary volume descriptor (sector 16): every generation must change it.
TEST(IsoTest, PrimaryVolumeDescriptorDiffersPerGenerationAndContent) {
  const auto pvd = [](const std::string& image) { return image.substr(16 * 2048, 2048); };
  const std::string g1 = BuildLayerIso(Broker(), Meta(1), {}).value();
  const std::string g2 = BuildLayerIso(Broker(), Meta(2), {}).value();
  EXPECT_NE(pvd(g1), pvd(g2));
  EXPECT_EQ(pvd(g1), pvd(BuildLayerIso(Broker(), Meta(1), {}).value()));
  ContextClass other = Broker();
  other.values["extra"] = "x";
  EXPECT_NE(pvd(g1), pvd(BuildLayerIso(other, Meta(1), {}).value()));
}

TEST(IsoTest, BuildsAndReadsBackTheLayer) {
  const std::string bytes = Build(Broker(), Meta(7));
  EXPECT_EQ(bytes.size() % 2048, 0u);
  const IsoContents c = Read(bytes);
  EXPECT_EQ(c.volume_id, "TERN_BROKER");
  EXPECT_TRUE(c.rock_ridge);
  EXPECT_TRUE(c.joliet);
  EXPECT_TRUE(c.root_owned);
  const std::map<std::string, std::string> expected = {
      {".tern/layer.json", R"({"class":"broker","generation":7,"origin":"host:h1","priority":30,"format":1})"
                           "\n"},
      {"context/bin/hook.sh", "#!/bin/sh\necho hi\n"},
      {kLongName, "listen=8080\n"},
      {"context/motd", ""},
      {"context/values/app_port", "8080"},
      {"context/values/region", "eu"},
  };
  EXPECT_EQ(c.files, expected);
  const std::map<std::string, int> modes = {
      {".tern", 0755},
      {".tern/layer.json", 0644},
      {"context", 0755},
      {"context/bin", 0755},
      {"context/bin/hook.sh", 0755},
      {"context/etc", 0755},
      {kLongName, 0640},
      {"context/motd", 0644},
      {"context/values", 0755},
      {"context/values/app_port", 0644},
      {"context/values/region", 0644},
  };
  EXPECT_EQ(c.modes, modes);
}

TEST(IsoTest, MetadataRoundTripsThroughTheImage) {
  const IsoContents c = Read(Build(Broker(), {"broker", 30, 123456789012345ull, "manifest:/srv/web.yaml"}));
  Result<LayerMetadata> meta = ParseLayerMetadataJson(c.files.at(".tern/layer.json"), ".tern/layer.json");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->class_name, "broker");
  EXPECT_EQ(meta->priority, 30);
  EXPECT_EQ(meta->generation, 123456789012345ull);
  EXPECT_EQ(meta->origin, "manifest:/srv/web.yaml");
}

TEST(IsoTest, RockRidgeKeepsLongLowercaseAndUtf8Names) {
  ContextClass c = Broker();
  const std::string long_component(200, 'n');
  c.files.push_back({"deep/a/b/c/d/e/f/g/h/i/j/file.txt", "deep", 0644});
  c.files.push_back({"long/" + long_component + ".Conf", "long", 0644});
  c.files.push_back({"utf8/naïve café.txt", "utf8", 0644});
  const IsoContents r = Read(Build(c, Meta()));
  EXPECT_EQ(r.files.at(kLongName), "listen=8080\n");
  EXPECT_EQ(r.files.at("context/deep/a/b/c/d/e/f/g/h/i/j/file.txt"), "deep");
  EXPECT_EQ(r.files.at("context/long/" + long_component + ".Conf"), "long");
  EXPECT_EQ(r.files.at("context/utf8/naïve café.txt"), "utf8");
}

TEST(IsoTest, JolietTreeKeepsNamesToo) {
  const IsoContents r = Read(Build(Broker(), Meta()), IsoTree::kJoliet);
  EXPECT_TRUE(r.joliet);
  EXPECT_EQ(r.volume_id, "TERN_BROKER");
  EXPECT_EQ(r.files.at(kLongName), "listen=8080\n");
  EXPECT_EQ(r.files.at(".tern/layer.json").substr(0, 17), R"({"class":"broker")");
}

TEST(IsoTest, BareIso9660TreeHasMangledNames) {
  // Without the extensions, names are upper-case ISO 9660 identifiers: the extensions are what keeps them.
  const IsoContents r = Read(Build(Broker(), Meta()), IsoTree::kIso9660);
  EXPECT_EQ(r.files.count(kLongName), 0u);
  bool found = false;
  for (const auto& [path, content] : r.files)
    found = found || (path.rfind("CONTEXT/", 0) == 0 && content == "listen=8080\n");
  EXPECT_TRUE(found);
}

TEST(IsoTest, CloudInitSeed) {
  ContextClass service;
  service.name = "service";
  service.priority = 10;
  service.values = {{"mode", "blue"}};
  IsoOptions opts = Seed();
  opts.cloud_init.user_data = "#cloud-config\npackages: [nginx]\n";
  const IsoContents c = Read(Build(service, {"service", 10, 1, "manifest:/srv/web.yaml"}, opts));
  EXPECT_EQ(c.volume_id, "cidata");
  EXPECT_THAT(c.files.at("meta-data"), HasSubstr("instance-id: web1-1\n"));
  EXPECT_THAT(c.files.at("meta-data"), HasSubstr("local-hostname: web1\n"));
  EXPECT_EQ(c.files.at("user-data"), "#cloud-config\npackages: [nginx]\n");
  EXPECT_THAT(c.files.at("network-config"), HasSubstr("dhcp4: true"));
  EXPECT_EQ(c.files.at("context/values/mode"), "blue");
  EXPECT_EQ(c.modes.at("meta-data"), 0644);
  // NoCloud reads the label from the Joliet volume descriptor on some systems: the same there.
  EXPECT_EQ(Read(Build(service, {"service", 10, 1, ""}, opts), IsoTree::kJoliet).volume_id, "cidata");
}

TEST(IsoTest, NonSeedLayerHasNoNoCloudFiles) {
  const IsoContents c = Read(Build(Broker(), Meta()));
  EXPECT_EQ(c.files.count("meta-data"), 0u);
  EXPECT_EQ(c.files.count("user-data"), 0u);
}

TEST(IsoTest, EmptyClassHoldsOnlyMetadata) {
  ContextClass empty;
  empty.name = "legislation";
  empty.priority = 20;
  const IsoContents c = Read(Build(empty, {}));
  EXPECT_EQ(c.volume_id, "TERN_LEGISLATION");
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_THAT(c.files.at(".tern/layer.json"), HasSubstr(R"("priority":20)"));
}

TEST(IsoTest, LargeAndBinaryContent) {
  ContextClass c = Broker();
  std::string blob(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>((i * 2654435761u) >> 13);
  c.files.push_back({"blob.bin", blob, 0600});
  const IsoContents r = Read(Build(c, Meta()));
  EXPECT_EQ(r.files.at("context/blob.bin"), blob);
}

TEST(IsoTest, SameInputGivesIdenticalBytes) {
  const std::string a = Build(Broker(), Meta(5));
  // Build something else in between, so that any global counter in libisofs moves on.
  (void)Build(Broker(), Meta(6), Seed());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // and let the clock move past a second
  const std::string b = Build(Broker(), Meta(5));
  EXPECT_TRUE(a == b) << "two builds of the same layer differ";
  EXPECT_EQ(Build(Broker(), Meta(5), Seed()), Build(Broker(), Meta(5), Seed()));
}

TEST(IsoTest, DifferentInputGivesDifferentBytes) {
  const std::string base = Build(Broker(), Meta(5));
  EXPECT_NE(base, Build(Broker(), Meta(6)));
  ContextClass other = Broker();
  other.values["region"] = "us";
  EXPECT_NE(base, Build(other, Meta(5)));
}

TEST(IsoTest, ConcurrentBuildsAgree) {
  const std::string expected = Build(Broker(), Meta(9));
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&results, i] { results[i] = BuildLayerIso(Broker(), Meta(9), {}).value(); });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& r : results) EXPECT_TRUE(r == expected);
}

// Reads the primary volume descriptor directly (ECMA-119 8.4), without libisofs.
TEST(IsoTest, PrimaryVolumeDescriptorHasFixedLabelAndTimes) {
  const std::string bytes = Build(Broker(), Meta());
  ASSERT_GT(bytes.size(), 34816u);
  const std::string pvd = bytes.substr(16 * 2048, 2048);
  EXPECT_EQ(pvd[0], '\x01');
  EXPECT_EQ(pvd.substr(1, 5), "CD001");
  EXPECT_EQ(pvd.substr(40, 32), "TERN_BROKER" + std::string(21, ' '));
  EXPECT_EQ(pvd.substr(813, 16), "2000010100000000");  // creation
  EXPECT_EQ(pvd.substr(830, 16), "2000010100000000");  // modification
  EXPECT_EQ(pvd[829], '\0');                           // GMT
  const std::string seed = Build(Broker(), Meta(), Seed()).substr(16 * 2048, 2048);
  EXPECT_EQ(seed.substr(40, 32), "cidata" + std::string(26, ' '));
}

TEST(IsoTest, ReadIsoRejectsGarbage) {
  EXPECT_EQ(ReadIso("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadIso(std::string(64 * 1024, 'x')).status().code(), StatusCode::kInvalidArgument);
  // A truncated image: descriptors present, directory blocks missing.
  const std::string bytes = Build(Broker(), Meta());
  EXPECT_FALSE(ReadIso(bytes.substr(0, 17 * 2048)).ok());
}

TEST(IsoTest, BuildRefusesAnInvalidClass) {
  ContextClass c = Broker();
  c.files.push_back({"../escape", "x", 0644});
  Result<std::string> r = BuildLayerIso(c, Meta(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  IsoOptions no_id;
  no_id.cloud_init_seed = true;
  EXPECT_FALSE(BuildLayerIso(Broker(), Meta(), no_id).ok());
}

TEST(WriteLayerIsoTest, WritesAtomicallyAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string out = dir.Path("broker.iso");
  ASSERT_TRUE(WriteLayerIso(Broker(), Meta(1), {}, out).ok());
  ASSERT_TRUE(WriteLayerIso(Broker(), Meta(2), {}, out).ok());  // replaces the previous image
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.push_back(e.path().filename());
  EXPECT_THAT(names, ::testing::ElementsAre("broker.iso"));
  Result<std::string> bytes = ReadFile(out);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, Build(Broker(), Meta(2)));
}

TEST(WriteLayerIsoTest, FailsCleanlyWhenTheDirectoryIsMissing) {
  TempDir dir;
  const Status s = WriteLayerIso(Broker(), Meta(), {}, dir.Path("missing/broker.iso"));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// --- Cross-checks with independent readers, when installed (not required).

std::string RunCommand(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  if (!pipe) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out;
}

bool Have(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST(IsoCrossCheckTest, IsoinfoSeesLabelExtensionsAndFiles) {
  if (!Have("isoinfo")) GTEST_SKIP() << "isoinfo (genisoimage) is not installed";
  TempDir dir;
  const std::string path = dir.Path("seed.iso");
  ASSERT_TRUE(WriteLayerIso(Broker(), Meta(), Seed(), path).ok());
  const std::string info = RunCommand("isoinfo -d -i '" + path + "'");
  EXPECT_THAT(info, HasSubstr("Volume id: cidata"));
  EXPECT_THAT(info, HasSubstr("Joliet"));
  EXPECT_THAT(info, HasSubstr("Rock Ridge"));
  const std::string list = RunCommand("isoinfo -R -f -i '" + path + "'");
  EXPECT_THAT(list, HasSubstr("/context/etc/a-long-file-name.conf"));
  EXPECT_THAT(list, HasSubstr("/.tern/layer.json"));
  EXPECT_THAT(list, HasSubstr("/meta-data"));
  EXPECT_EQ(RunCommand("isoinfo -R -i '" + path + "' -x /context/etc/a-long-file-name.conf"),
            "listen=8080\n");
  EXPECT_THAT(RunCommand("isoinfo -R -i '" + path + "' -x /meta-data"), HasSubstr("instance-id: web1-1"));
  EXPECT_THAT(RunCommand("isoinfo -J -f -i '" + path + "'"), HasSubstr("/context/etc/a-long-file-name.conf"));
}

TEST(IsoCrossCheckTest, BlkidSeesTheLabel) {
  if (!Have("blkid")) GTEST_SKIP() << "blkid is not installed";
  TempDir dir;
  const std::string seed = dir.Path("seed.iso");
  const std::string broker = dir.Path("broker.iso");
  ASSERT_TRUE(WriteLayerIso(Broker(), Meta(), Seed(), seed).ok());
  ASSERT_TRUE(WriteLayerIso(Broker(), Meta(), {}, broker).ok());
  EXPECT_EQ(RunCommand("blkid -p -o value -s LABEL '" + seed + "'"), "cidata\n");
  EXPECT_EQ(RunCommand("blkid -p -o value -s LABEL '" + broker + "'"), "TERN_BROKER\n");
  EXPECT_EQ(RunCommand("blkid -p -o value -s TYPE '" + seed + "'"), "iso9660\n");
}

}  // namespace
}  // namespace tern::context
