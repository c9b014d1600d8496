#include "daemon/daemon_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace tern::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::TempDir;

constexpr const char* kFullConfig = R"(
host:
  name: node-1
libvirt:
  uri: qemu+tcp://10.0.0.1/system
  domain_type: kvm
  probe_kernel: guest/vmlinuz
  probe_initrd: /opt/guest/initrd.img
data_dir: state/../data
api:
  listen: 0.0.0.0:7481
infrastructure:
  priority: 5
  values: { dc: fra1, rack: 12 }
  files:
    - path: etc/ntp.conf
      source: files/ntp.conf
    - path: motd
      content: "welcome\n"
      mode: "0600"
)";

// A minimal valid config; tests break one thing in it.
constexpr const char* kMinimalConfig = R"(host:
  name: node-1
infrastructure:
  priority: 5
)";

class DaemonConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("files/ntp.conf", "server ntp.example\n"); }

  // Parses `text` as ternd.yaml in the temp dir; returns the error message ("" when it parsed).
  std::string Error(const std::string& text) {
    Result<DaemonConfig> c = ParseDaemonConfigText(text, "ternd.yaml", dir_.path());
    if (c.ok()) return "";
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
    return c.status().message();
  }

  TempDir dir_;
};

TEST_F(DaemonConfigTest, ParsesEveryFieldFromAFile) {
  const std::string path = dir_.Write("etc/ternd.yaml", kFullConfig);
  dir_.Write("etc/files/ntp.conf", "server ntp.example\n");
  Result<DaemonConfig> c = ParseDaemonConfigFile(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, path);
  EXPECT_EQ(c->host_name, "node-1");
  EXPECT_EQ(c->libvirt_uri, "qemu+tcp://10.0.0.1/system");
  EXPECT_EQ(c->domain_type, "kvm");
  // Relative paths resolve against the config file's directory; absolute ones are kept.
  EXPECT_EQ(c->probe_kernel, dir_.Path("etc/guest/vmlinuz"));
  EXPECT_EQ(c->probe_initrd, "/opt/guest/initrd.img");
  EXPECT_EQ(c->data_dir, dir_.Path("etc/data"));  // lexically normalized
  EXPECT_EQ(c->api_listen, "0.0.0.0:7481");

  const context::ContextClass& infra = c->infrastructure;
  EXPECT_EQ(infra.name, "infrastructure");
  EXPECT_EQ(infra.priority, 5);
  EXPECT_EQ(infra.values.size(), 2u);
  EXPECT_EQ(infra.values.at("dc"), "fra1");
  EXPECT_EQ(infra.values.at("rack"), "12");
  ASSERT_EQ(infra.files.size(), 2u);
  EXPECT_EQ(infra.files[0].path, "etc/ntp.conf");
  EXPECT_EQ(infra.files[0].content, "server ntp.example\n");  // read from etc/files/ntp.conf at parse time
  EXPECT_EQ(infra.files[0].mode, 0644);
  EXPECT_EQ(infra.files[1].path, "motd");
  EXPECT_EQ(infra.files[1].content, "welcome\n");
  EXPECT_EQ(infra.files[1].mode, 0600);
}

TEST_F(DaemonConfigTest, TextResolvesAgainstTheGivenBaseDir) {
  Result<DaemonConfig> c = ParseDaemonConfigText(kFullConfig, "ternd.yaml", dir_.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "ternd.yaml");
  EXPECT_EQ(c->probe_kernel, dir_.Path("guest/vmlinuz"));
  EXPECT_EQ(c->data_dir, dir_.Path("data"));
  ASSERT_EQ(c->infrastructure.files.size(), 2u);
  EXPECT_EQ(c->infrastructure.files[0].content, "server ntp.example\n");
}

TEST_F(DaemonConfigTest, DefaultsForOptionalFields) {
  Result<DaemonConfig> c = ParseDaemonConfigText(kMinimalConfig, "ternd.yaml", dir_.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host_name, "node-1");
  EXPECT_EQ(c->libvirt_uri, "qemu:///system");
  EXPECT_EQ(c->domain_type, "auto");
  EXPECT_EQ(c->probe_kernel, "");
  EXPECT_EQ(c->probe_initrd, "");
  EXPECT_EQ(c->data_dir, "/var/lib/tern");
  EXPECT_EQ(c->api_listen, "127.0.0.1:7480");
  EXPECT_EQ(c->infrastructure.name, "infrastructure");
  EXPECT_EQ(c->infrastructure.priority, 5);
  EXPECT_TRUE(c->infrastructure.values.empty());
  EXPECT_TRUE(c->infrastructure.files.empty());
}

TEST_F(DaemonConfigTest, AcceptsEveryDomainType) {
  for (const char* t : {"auto", "kvm", "qemu"}) {
    const std::string text = std::string(kMinimalConfig) + "libvirt:\n  domain_type: " + t + "\n";
    Result<DaemonConfig> c = ParseDaemonConfigText(text, "ternd.yaml", dir_.path());
    ASSERT_TRUE(c.ok()) << t << ": " << c.status().ToString();
    EXPECT_EQ(c->domain_type, t);
  }
}

TEST_F(DaemonConfigTest, MissingFileIsAnIoErrorNamingThePath) {
  Result<DaemonConfig> c = ParseDaemonConfigFile(dir_.Path("nope.yaml"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kIoError);
  EXPECT_THAT(c.status().message(), HasSubstr(dir_.Path("nope.yaml")));
}

TEST_F(DaemonConfigTest, UnknownTopLevelKey) {
  const std::string e = Error(std::string(kMinimalConfig) + "monitoring: true\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: "));
  EXPECT_THAT(e, HasSubstr("unknown key 'monitoring'"));
}

TEST_F(DaemonConfigTest, UnknownKeyInHost) {
  const std::string e =
      Error("host:\n  name: node-1\n  fqdn: node-1.example\ninfrastructure:\n  priority: 5\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: host: "));
  EXPECT_THAT(e, HasSubstr("unknown key 'fqdn'"));
}

TEST_F(DaemonConfigTest, UnknownKeyInLibvirt) {
  const std::string e = Error(std::string(kMinimalConfig) + "libvirt:\n  uri: qemu:///system\n  url: x\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: libvirt: "));
  EXPECT_THAT(e, HasSubstr("unknown key 'url'"));
}

TEST_F(DaemonConfigTest, UnknownKeyInApi) {
  const std::string e = Error(std::string(kMinimalConfig) + "api:\n  listen: 127.0.0.1:1\n  tls: true\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: api: "));
  EXPECT_THAT(e, HasSubstr("unknown key 'tls'"));
}

TEST_F(DaemonConfigTest, UnknownKeyInInfrastructure) {
  const std::string e = Error("host:\n  name: node-1\ninfrastructure:\n  priority: 5\n  prio: 6\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: infrastructure: "));
  EXPECT_THAT(e, HasSubstr("unknown key 'prio'"));
}

TEST_F(DaemonConfigTest, MissingHost) {
  const std::string e = Error("infrastructure:\n  priority: 5\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: host: "));
  EXPECT_THAT(e, HasSubstr("missing required field"));
}

TEST_F(DaemonConfigTest, MissingHostName) {
  const std::string e = Error("host: {}\ninfrastructure:\n  priority: 5\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: host.name: "));
  EXPECT_THAT(e, HasSubstr("missing required field"));
}

TEST_F(DaemonConfigTest, HostIsNotAMapping) {
  const std::string e = Error("host: node-1\ninfrastructure:\n  priority: 5\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: host: "));
  EXPECT_THAT(e, HasSubstr("expected a mapping"));
}

TEST_F(DaemonConfigTest, InvalidHostName) {
  for (const char* bad : {"'bad/name'", "-lead", "'a b'", "''"}) {
    const std::string e = Error(std::string("host:\n  name: ") + bad + "\ninfrastructure:\n  priority: 5\n");
    EXPECT_THAT(e, StartsWith("ternd.yaml: host.name: ")) << bad;
  }
  EXPECT_THAT(Error("host:\n  name: bad/name\ninfrastructure:\n  priority: 5\n"),
              HasSubstr("'bad/name' is not a valid name"));
}

TEST_F(DaemonConfigTest, BadDomainType) {
  const std::string e = Error(std::string(kMinimalConfig) + "libvirt:\n  domain_type: xen\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: libvirt.domain_type: "));
  EXPECT_THAT(e, HasSubstr("'xen' is not one of auto, kvm, qemu"));
}

TEST_F(DaemonConfigTest, BadApiListen) {
  for (const char* bad : {"localhost", "127.0.0.1:99999", "127.0.0.1:http", ":7480", "[::1:7480"}) {
    const std::string e = Error(std::string(kMinimalConfig) + "api:\n  listen: \"" + bad + "\"\n");
    EXPECT_THAT(e, StartsWith("ternd.yaml: api.listen: ")) << bad;
    EXPECT_THAT(e, HasSubstr(std::string("'") + bad + "'")) << bad;
  }
}

TEST_F(DaemonConfigTest, BadStringFields) {
  EXPECT_THAT(Error(std::string(kMinimalConfig) + "data_dir: [a, b]\n"),
              StartsWith("ternd.yaml: data_dir: expected a string"));
  EXPECT_THAT(Error(std::string(kMinimalConfig) + "libvirt:\n  uri: ''\n"),
              StartsWith("ternd.yaml: libvirt.uri: must not be empty"));
  EXPECT_THAT(Error(std::string(kMinimalConfig) + "libvirt:\n  probe_kernel: {a: 1}\n"),
              StartsWith("ternd.yaml: libvirt.probe_kernel: expected a string"));
}

TEST_F(DaemonConfigTest, MissingInfrastructure) {
  const std::string e = Error("host:\n  name: node-1\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: infrastructure: "));
  EXPECT_THAT(e, HasSubstr("missing required field"));
}

TEST_F(DaemonConfigTest, InfrastructureWithoutPriority) {
  const std::string e = Error("host:\n  name: node-1\ninfrastructure:\n  values: { dc: fra1 }\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: infrastructure.priority: "));
  EXPECT_THAT(e, HasSubstr("missing required field"));
}

TEST_F(DaemonConfigTest, InfrastructureErrorsNameTheirField) {
  EXPECT_THAT(Error("host:\n  name: node-1\ninfrastructure:\n  priority: lots\n"),
              StartsWith("ternd.yaml: infrastructure.priority: "));
  EXPECT_THAT(Error("host:\n  name: node-1\ninfrastructure:\n  priority: 5\n  files:\n"
                    "    - path: x\n      source: missing.conf\n"),
              StartsWith("ternd.yaml: infrastructure.files[0].source: "));
  EXPECT_THAT(Error("host:\n  name: node-1\ninfrastructure:\n  priority: 5\n  cloud_init: {}\n"),
              StartsWith("ternd.yaml: infrastructure.cloud_init: "));
}

TEST_F(DaemonConfigTest, YamlSyntaxErrorNamesTheLine) {
  // An unterminated flow sequence: yaml-cpp notices it on line 4 (where the next key starts).
  const std::string e = Error("host:\n  name: node-1\ndata_dir: [a, b\ninfrastructure:\n  priority: 5\n");
  EXPECT_THAT(e, StartsWith("ternd.yaml: line "));
  // Bad indentation: a key at a column that belongs to no mapping, on line 3.
  const std::string e2 = Error("host:\n    name: node-1\n  extra: 1\ninfrastructure:\n  priority: 5\n");
  EXPECT_THAT(e2, StartsWith("ternd.yaml: line 3"));
}

TEST_F(DaemonConfigTest, EmptyConfigNamesTheFile) {
  // Messages are "<file>: <field>: <problem>" or "<file>: <problem>"; never an empty field.
  for (const char* text : {"", "# only a comment\n", "[1, 2]\n"}) {
    const std::string e = Error(text);
    EXPECT_THAT(e, StartsWith("ternd.yaml: ")) << "text: " << text;
    EXPECT_THAT(e, Not(HasSubstr("ternd.yaml: : "))) << "text: " << text;
  }
}

}  // namespace
}  // namespace tern::daemon

namespace tern::daemon {
namespace {

TEST(DaemonConfigPeersTest, ParsesPeersAndRejectsBadOnes) {
  const std::string base = "host: {name: h1}\ninfrastructure: {priority: 20}\n";
  auto ok = ParseDaemonConfigText(base +
                                      "peers:\n  - {name: h2, api: \"http://10.0.0.2:7480\", libvirt: "
                                      "\"qemu+tcp://10.0.0.2/system\"}\n",
                                  "t.yaml", "/");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->peers.size(), 1u);
  EXPECT_EQ(ok->peers[0].libvirt_uri, "qemu+tcp://10.0.0.2/system");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"peers: {a: b}\n", "peers: expected a list"},
      {"peers:\n  - {name: h2, api: \"x\", libvirt: y}\n", "peers[0].api"},
      {"peers:\n  - {name: h1, api: \"http://x\", libvirt: y}\n", "this host itself"},
      {"peers:\n  - {name: h2, api: \"http://x\"}\n", "peers[0].libvirt: missing"},
      {"peers:\n  - {name: h2, api: \"http://x\", libvirt: y, port: 3}\n", "unknown key 'port'"},
      {"peers:\n  - {name: h2, api: \"http://x\", libvirt: y}\n  - {name: h2, api: \"http://x\", libvirt: "
       "y}\n",
       "listed twice"},
  };
  for (const auto& [text, expect] : bad) {
    auto r = ParseDaemonConfigText(base + text, "t.yaml", "/");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(expect), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace tern::daemon
