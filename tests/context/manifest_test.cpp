#include "context/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace tern::context {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

constexpr const char* kFullManifest = R"(
vm:
  name: web1
  memory_mib: 256
  vcpus: 2
  cdrom_bus: ide
  boot:
    kernel: guest/vmlinuz
    initrd: guest/initrd.img
    cmdline: "console=ttyS0"
  disks:
    - path: disk.qcow2
      format: qcow2
    - path: data.img
      format: raw
      bus: scsi
  nics:
    - type: network
      network: default
      mac: "52:54:00:12:34:56"
    - type: user
      model: e1000
    - type: udp
      local_port: 5001
      remote_port: 5000
      remote_address: 10.0.0.2
    - type: tern
      network: blue
      mac: "52:54:00:12:34:57"
context:
  service:
    priority: 10
    values: { app_port: "8080", mode: blue, replicas: 3, debug: false }
    files:
      - path: etc/app.conf
        source: files/app.conf
      - path: motd
        content: "hello\n"
        mode: "0600"
      - path: ./bin//hook.sh
        content: "#!/bin/sh\n"
        mode: 755
    cloud_init:
      user_data: "#cloud-config\npackages: [nginx]\n"
      network_config: "version: 2\n"
  broker:
    priority: 30
    values: { region: eu }
  legislation:
    priority: 20
)";

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("guest/vmlinuz", "kernel");
    dir_.Write("guest/initrd.img", "initrd");
    dir_.Write("disk.qcow2", "qcow2");
    dir_.Write("data.img", "raw");
    dir_.Write("files/app.conf", "port=8080\n");
  }

  // Parses `text` as web.yaml in the temp dir and returns the error message ("" if it parsed).
  std::string Error(const std::string& text) {
    Result<Manifest> m = ParseManifestText(text, "web.yaml", dir_.path());
    if (m.ok()) return "";
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    return m.status().message();
  }

  TempDir dir_;
};

// A minimal valid manifest, with `vm_extra` appended to the vm section and `service_extra` to the service
// class.
std::string Minimal(const std::string& vm_extra = "", const std::string& service_extra = "",
                    const std::string& context_extra = "") {
  return "vm:\n  name: web1\n  memory_mib: 256\n" + vm_extra + "context:\n  service:\n    priority: 10\n" +
         service_extra + context_extra;
}

TEST_F(ManifestTest, ParsesEveryField) {
  const std::string path = dir_.Write("web.yaml", kFullManifest);
  Result<Manifest> r = ParseManifestFile(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Manifest& m = *r;
  EXPECT_EQ(m.source, path);
  EXPECT_EQ(m.vm.name, "web1");
  EXPECT_EQ(m.vm.memory_mib, 256);
  EXPECT_EQ(m.vm.vcpus, 2);
  EXPECT_EQ(m.vm.cdrom_bus, "ide");
  ASSERT_TRUE(m.vm.boot.has_value());
  EXPECT_EQ(m.vm.boot->kernel, dir_.Path("guest/vmlinuz"));
  EXPECT_EQ(m.vm.boot->initrd, dir_.Path("guest/initrd.img"));
  EXPECT_EQ(m.vm.boot->cmdline, "console=ttyS0");
  ASSERT_EQ(m.vm.disks.size(), 2u);
  EXPECT_EQ(m.vm.disks[0].path, dir_.Path("disk.qcow2"));
  EXPECT_EQ(m.vm.disks[0].format, "qcow2");
  EXPECT_EQ(m.vm.disks[0].bus, "virtio");
  EXPECT_EQ(m.vm.disks[1].path, dir_.Path("data.img"));
  EXPECT_EQ(m.vm.disks[1].format, "raw");
  EXPECT_EQ(m.vm.disks[1].bus, "scsi");
  ASSERT_EQ(m.vm.nics.size(), 4u);
  EXPECT_EQ(m.vm.nics[0].type, "network");
  EXPECT_EQ(m.vm.nics[0].network, "default");
  EXPECT_EQ(m.vm.nics[0].mac, "52:54:00:12:34:56");
  EXPECT_EQ(m.vm.nics[0].model, "virtio");
  EXPECT_EQ(m.vm.nics[1].type, "user");
  EXPECT_EQ(m.vm.nics[1].model, "e1000");
  EXPECT_EQ(m.vm.nics[1].mac, "");
  EXPECT_EQ(m.vm.nics[2].type, "udp");
  EXPECT_EQ(m.vm.nics[2].local_port, 5001);
  EXPECT_EQ(m.vm.nics[2].remote_port, 5000);
  EXPECT_EQ(m.vm.nics[2].remote_address, "10.0.0.2");
  EXPECT_EQ(m.vm.nics[3].type, "tern");
  EXPECT_EQ(m.vm.nics[3].network, "blue");
  EXPECT_EQ(m.vm.nics[3].mac, "52:54:00:12:34:57");
  EXPECT_EQ(m.vm.nics[3].model, "virtio");

  ASSERT_EQ(m.classes.size(), 3u);  // sorted by priority
  EXPECT_EQ(m.classes[0].name, "service");
  EXPECT_EQ(m.classes[1].name, "legislation");
  EXPECT_EQ(m.classes[2].name, "broker");
  const ContextClass& service = m.classes[0];
  EXPECT_EQ(service.priority, 10);
  const std::map<std::string, std::string> values = {
      {"app_port", "8080"}, {"mode", "blue"}, {"replicas", "3"}, {"debug", "false"}};
  EXPECT_EQ(service.values, values);
  ASSERT_EQ(service.files.size(), 3u);
  EXPECT_EQ(service.files[0].path, "etc/app.conf");
  EXPECT_EQ(service.files[0].content, "port=8080\n");
  EXPECT_EQ(service.files[0].mode, 0644);
  EXPECT_EQ(service.files[1].path, "motd");
  EXPECT_EQ(service.files[1].content, "hello\n");
  EXPECT_EQ(service.files[1].mode, 0600);
  EXPECT_EQ(service.files[2].path, "bin/hook.sh");
  EXPECT_EQ(service.files[2].mode, 0755);
  EXPECT_EQ(m.classes[2].values.at("region"), "eu");
  EXPECT_EQ(m.classes[2].priority, 30);
  EXPECT_TRUE(m.classes[1].values.empty());
  EXPECT_TRUE(m.classes[1].files.empty());
  EXPECT_EQ(m.cloud_init.user_data, "#cloud-config\npackages: [nginx]\n");
  EXPECT_EQ(m.cloud_init.network_config, "version: 2\n");
}

TEST_F(ManifestTest, MinimalManifestGetsDefaults) {
  Result<Manifest> r = ParseManifestText(Minimal(), "web.yaml", dir_.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source, "web.yaml");
  EXPECT_EQ(r->vm.vcpus, 1);
  EXPECT_EQ(r->vm.cdrom_bus, "scsi");
  EXPECT_FALSE(r->vm.boot.has_value());
  EXPECT_TRUE(r->vm.disks.empty());
  EXPECT_TRUE(r->vm.nics.empty());
  ASSERT_EQ(r->classes.size(), 1u);
  EXPECT_TRUE(r->cloud_init.user_data.empty());
}

TEST_F(ManifestTest, RelativePathsResolveAgainstTheManifestDirectory) {
  dir_.Write("sub/disk.qcow2", "x");
  dir_.Write("sub/conf/a.conf", "a");
  const std::string path =
      dir_.Write("sub/web.yaml", Minimal("  disks:\n    - path: disk.qcow2\n",
                                         "    files:\n      - path: a.conf\n        source: conf/a.conf\n"));
  Result<Manifest> r = ParseManifestFile(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->vm.disks[0].path, dir_.Path("sub/disk.qcow2"));
  EXPECT_EQ(r->classes[0].files[0].content, "a");
}

TEST_F(ManifestTest, AbsoluteSourcePathsAreAccepted) {
  const std::string abs = dir_.Write("elsewhere/x.conf", "abs");
  Result<Manifest> r =
      ParseManifestText(Minimal("", "    files:\n      - path: x.conf\n        source: " + abs + "\n"),
                        "web.yaml", "/nonexistent");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->classes[0].files[0].content, "abs");
}

TEST_F(ManifestTest, MissingManifestFileIsAnError) {
  Result<Manifest> r = ParseManifestFile(dir_.Path("nope.yaml"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nope.yaml"));
}

// --- unknown keys

TEST_F(ManifestTest, UnknownTopLevelKey) {
  EXPECT_THAT(Error(Minimal() + "monitoring: {}\n"), StartsWith("web.yaml: unknown key 'monitoring'"));
}

TEST_F(ManifestTest, UnknownVmKey) {
  EXPECT_THAT(Error(Minimal("  memory: 5\n")), StartsWith("web.yaml: vm: unknown key 'memory'"));
}

TEST_F(ManifestTest, UnknownClassKey) {
  EXPECT_THAT(Error(Minimal("", "", "  broker:\n    prio: 30\n")),
              StartsWith("web.yaml: context.broker: unknown key 'prio'"));
}

TEST_F(ManifestTest, UnknownFileEntryKey) {
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: a\n        content: x\n        owner: root\n")),
              StartsWith("web.yaml: context.service.files[0]: unknown key 'owner'"));
}

TEST_F(ManifestTest, UnknownKeysInBootDiskNicAndCloudInit) {
  EXPECT_THAT(Error(Minimal("  boot:\n    kernel: guest/vmlinuz\n    append: x\n")),
              StartsWith("web.yaml: vm.boot: unknown key 'append'"));
  EXPECT_THAT(Error(Minimal("  disks:\n    - path: disk.qcow2\n      size: 5\n")),
              StartsWith("web.yaml: vm.disks[0]: unknown key 'size'"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: user\n      bridge: br0\n")),
              StartsWith("web.yaml: vm.nics[0]: unknown key 'bridge'"));
  EXPECT_THAT(Error(Minimal("", "    cloud_init:\n      vendor_data: x\n")),
              StartsWith("web.yaml: context.service.cloud_init: unknown key 'vendor_data'"));
}

TEST_F(ManifestTest, DuplicateKey) {
  EXPECT_THAT(Error(Minimal("  vcpus: 1\n  vcpus: 2\n")), StartsWith("web.yaml: vm: duplicate key 'vcpus'"));
}

// --- wrong types and values

TEST_F(ManifestTest, WrongTypes) {
  EXPECT_EQ(Error("vm:\n  name: web1\n  memory_mib: lots\ncontext:\n  service:\n    priority: 10\n"),
            "web.yaml: vm.memory_mib: expected an integer, got 'lots'");
  EXPECT_THAT(Error(Minimal("  vcpus: [1, 2]\n")),
              StartsWith("web.yaml: vm.vcpus: expected an integer, got a list"));
  EXPECT_THAT(Error(Minimal("  disks: disk.qcow2\n")),
              StartsWith("web.yaml: vm.disks: expected a list, got 'disk.qcow2'"));
  EXPECT_THAT(Error(Minimal("  name2: x\n")), HasSubstr("unknown key 'name2'"));
  EXPECT_THAT(Error("vm: [1]\ncontext: {}\n"), StartsWith("web.yaml: vm: expected a mapping, got a list"));
  EXPECT_THAT(Error(Minimal("", "    values: [a, b]\n")),
              StartsWith("web.yaml: context.service.values: expected a mapping, got a list"));
  EXPECT_THAT(Error(Minimal("", "    values:\n      a: {b: c}\n")),
              StartsWith("web.yaml: context.service.values.a: expected a scalar value, got a mapping"));
  EXPECT_THAT(Error(Minimal("", "    values:\n      'a/b': c\n")),
              StartsWith("web.yaml: context.service.values: 'a/b' is not a valid key"));
  EXPECT_THAT(Error(Minimal("", "    priority: high\n")), HasSubstr("duplicate key 'priority'"));
  EXPECT_THAT(Error("vm:\n  name: web1\n  memory_mib: 256\ncontext:\n  service:\n    priority: high\n"),
              StartsWith("web.yaml: context.service.priority: expected an integer, got 'high'"));
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: [a]\n        content: x\n")),
              StartsWith("web.yaml: context.service.files[0].path: expected a string, got a list"));
  EXPECT_THAT(Error(Minimal("", "    files: {path: a}\n")),
              StartsWith("web.yaml: context.service.files: expected a list, got a mapping"));
  EXPECT_THAT(Error(Minimal("", "    files:\n      - just-a-string\n")),
              StartsWith("web.yaml: context.service.files[0]: expected a mapping, got 'just-a-string'"));
}

TEST_F(ManifestTest, OutOfRangeAndBadChoices) {
  EXPECT_EQ(Error("vm:\n  name: web1\n  memory_mib: 8\ncontext:\n  service:\n    priority: 10\n"),
            "web.yaml: vm.memory_mib: must be between 16 and 1048576, got 8");
  EXPECT_THAT(Error("vm:\n  name: web1\n  memory_mib: 99999999999999999999999\ncontext:\n  service:\n    "
                    "priority: 1\n"),
              HasSubstr("must be between 16 and 1048576"));
  EXPECT_THAT(Error(Minimal("  vcpus: 0\n")),
              StartsWith("web.yaml: vm.vcpus: must be between 1 and 256, got 0"));
  EXPECT_THAT(Error(Minimal("  vcpus: 1.5\n")),
              StartsWith("web.yaml: vm.vcpus: expected an integer, got '1.5'"));
  EXPECT_THAT(Error(Minimal("  vcpus: +-2\n")),
              StartsWith("web.yaml: vm.vcpus: expected an integer, got '+-2'"));
  EXPECT_THAT(Error(Minimal("  vcpus: 0x10\n")),
              StartsWith("web.yaml: vm.vcpus: expected an integer, got '0x10'"));
  EXPECT_EQ(Error(Minimal("  vcpus: +2\n")), "");
  EXPECT_THAT(Error(Minimal("  cdrom_bus: usb\n")),
              StartsWith("web.yaml: vm.cdrom_bus: 'usb' is not one of scsi | ide"));
  EXPECT_THAT(Error(Minimal("  disks:\n    - path: disk.qcow2\n      format: vmdk\n")),
              StartsWith("web.yaml: vm.disks[0].format: 'vmdk' is not one of qcow2 | raw"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: bridge\n")),
              StartsWith("web.yaml: vm.nics[0].type: 'bridge' is not one of network | user | udp"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: udp\n      local_port: 70000\n")),
              StartsWith("web.yaml: vm.nics[0].local_port: must be between 0 and 65535"));
  EXPECT_THAT(
      Error(Minimal("  nics:\n    - type: udp\n      remote_address: example.com\n")),
      StartsWith("web.yaml: vm.nics[0].remote_address: 'example.com' is not an IPv4 or IPv6 address"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: user\n      network: default\n")),
              StartsWith("web.yaml: vm.nics[0].network: only allowed for type network"));
  // tern NICs: the network is required and named like a tern network; tern assigns the UDP ports.
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: tern\n")),
              StartsWith("web.yaml: vm.nics[0].network: missing required field"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: tern\n      network: .hidden\n")),
              StartsWith("web.yaml: vm.nics[0].network: '.hidden' is not a valid network name"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: tern\n      network: " + std::string(33, 'n') + "\n")),
              HasSubstr("is not a valid network name (1 to 32"));
  EXPECT_THAT(
      Error(Minimal("  nics:\n    - type: tern\n      network: blue\n      local_port: 5000\n")),
      StartsWith("web.yaml: vm.nics[0].local_port: only allowed for type udp (this NIC is type tern)"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - type: user\n      network: blue\n")),
              StartsWith("web.yaml: vm.nics[0].network: only allowed for type network or tern"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - network: 'my net'\n")),
              StartsWith("web.yaml: vm.nics[0].network: 'my net' is not a valid name"));
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: a\n        content: x\n        mode: \"0999\"\n")),
              StartsWith("web.yaml: context.service.files[0].mode: '0999' is not an octal file mode"));
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: a\n        content: x\n        mode: \"4755\"\n")),
              HasSubstr("is not an octal file mode"));
}

TEST_F(ManifestTest, QuotedIntegersAreAccepted) {
  Result<Manifest> r = ParseManifestText(
      "vm:\n  name: web1\n  memory_mib: \"512\"\ncontext:\n  service:\n    priority: '-5'\n", "web.yaml",
      dir_.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->vm.memory_mib, 512);
  EXPECT_EQ(r->classes[0].priority, -5);
}

// --- missing required fields

TEST_F(ManifestTest, MissingVmName) {
  EXPECT_EQ(Error("vm:\n  memory_mib: 256\ncontext:\n  service:\n    priority: 10\n"),
            "web.yaml: vm.name: missing required field");
}

TEST_F(ManifestTest, MissingMemory) {
  EXPECT_EQ(Error("vm:\n  name: web1\ncontext:\n  service:\n    priority: 10\n"),
            "web.yaml: vm.memory_mib: missing required field");
}

TEST_F(ManifestTest, MissingVmAndContextSections) {
  EXPECT_EQ(Error("context:\n  service:\n    priority: 10\n"), "web.yaml: vm: missing required field");
  EXPECT_EQ(Error("vm:\n  name: web1\n  memory_mib: 256\n"), "web.yaml: context: missing required field");
}

TEST_F(ManifestTest, MissingServiceClass) {
  EXPECT_EQ(Error("vm:\n  name: web1\n  memory_mib: 256\ncontext:\n  broker:\n    priority: 30\n"),
            "web.yaml: context.service: missing required field");
}

TEST_F(ManifestTest, ClassWithoutPriority) {
  EXPECT_EQ(Error("vm:\n  name: web1\n  memory_mib: 256\ncontext:\n  service:\n    values: {a: b}\n"),
            "web.yaml: context.service.priority: missing required field");
  EXPECT_EQ(Error(Minimal("", "", "  broker:\n    values: {region: eu}\n")),
            "web.yaml: context.broker.priority: missing required field");
  EXPECT_THAT(Error(Minimal("", "", "  broker:\n")),
              StartsWith("web.yaml: context.broker: expected a mapping"));
}

TEST_F(ManifestTest, MissingFileEntryPathAndDiskPathAndKernel) {
  EXPECT_EQ(Error(Minimal("", "    files:\n      - content: x\n")),
            "web.yaml: context.service.files[0].path: missing required field");
  EXPECT_EQ(Error(Minimal("  disks:\n    - format: raw\n")),
            "web.yaml: vm.disks[0].path: missing required field");
  EXPECT_EQ(Error(Minimal("  boot:\n    cmdline: x\n")), "web.yaml: vm.boot.kernel: missing required field");
}

// --- files and paths

TEST_F(ManifestTest, ContextFileThatDoesNotExist) {
  const std::string text = Minimal(
      "", "    files:\n      - path: a\n        content: x\n      - path: b\n        source: x.conf\n");
  EXPECT_EQ(Error(text), "web.yaml: context.service.files[1].source: file 'x.conf' does not exist (" +
                             dir_.Path("x.conf") + ")");
}

TEST_F(ManifestTest, ContextFileSourceThatIsADirectory) {
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: a\n        source: files\n")),
              HasSubstr("'files' is not a regular file"));
}

TEST_F(ManifestTest, DiskKernelAndInitrdMustExist) {
  EXPECT_EQ(
      Error(Minimal("  disks:\n    - path: missing.qcow2\n")),
      "web.yaml: vm.disks[0].path: file 'missing.qcow2' does not exist (" + dir_.Path("missing.qcow2") + ")");
  EXPECT_THAT(Error(Minimal("  boot:\n    kernel: guest/nope\n")),
              StartsWith("web.yaml: vm.boot.kernel: file 'guest/nope' does not exist"));
  EXPECT_THAT(Error(Minimal("  boot:\n    kernel: guest/vmlinuz\n    initrd: nope.img\n")),
              StartsWith("web.yaml: vm.boot.initrd: file 'nope.img' does not exist"));
  EXPECT_THAT(Error(Minimal("  disks:\n    - path: disk.qcow2\n    - path: ./disk.qcow2\n")),
              StartsWith("web.yaml: vm.disks[1].path: '" + dir_.Path("disk.qcow2") + "' is listed twice"));
}

TEST_F(ManifestTest, SourceAndContentBothOrNeither) {
  EXPECT_EQ(
      Error(Minimal("", "    files:\n      - path: a\n        source: files/app.conf\n        content: x\n")),
      "web.yaml: context.service.files[0]: give either 'source' or 'content', not both");
  EXPECT_EQ(Error(Minimal("", "    files:\n      - path: a\n        mode: '0644'\n")),
            "web.yaml: context.service.files[0]: missing 'source' or 'content' (exactly one is required)");
}

TEST_F(ManifestTest, EmptyInlineContentIsAnEmptyFile) {
  Result<Manifest> r = ParseManifestText(Minimal("", "    files:\n      - path: empty\n        content:\n"),
                                         "web.yaml", dir_.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->classes[0].files[0].content, "");
}

TEST_F(ManifestTest, PathWithDotDot) {
  EXPECT_THAT(
      Error(Minimal("", "    files:\n      - path: ../etc/passwd\n        content: x\n")),
      StartsWith("web.yaml: context.service.files[0].path: '../etc/passwd' is not a valid context file path: "
                 "'..' is not allowed"));
  EXPECT_THAT(
      Error(Minimal("", "    files:\n      - path: /etc/passwd\n        content: x\n")),
      StartsWith("web.yaml: context.service.files[0].path: '/etc/passwd' is not a valid context file path"));
  EXPECT_THAT(Error(Minimal("", "    files:\n      - path: values/x\n        content: x\n")),
              HasSubstr("reserved"));
}

TEST_F(ManifestTest, DuplicateOrClashingFilePaths) {
  EXPECT_THAT(
      Error(Minimal(
          "", "    files:\n      - path: a\n        content: x\n      - path: ./a\n        content: y\n")),
      StartsWith("web.yaml: context.service.files[1].path: 'a' is listed twice"));
  EXPECT_THAT(
      Error(Minimal(
          "",
          "    files:\n      - path: etc\n        content: x\n      - path: etc/a\n        content: y\n")),
      HasSubstr("both a file and a directory"));
}

// --- classes

TEST_F(ManifestTest, TwoClassesWithTheSamePriority) {
  EXPECT_EQ(Error(Minimal("", "", "  broker:\n    priority: 10\n")),
            "web.yaml: context: classes 'service' and 'broker' have the same priority 10");
}

TEST_F(ManifestTest, InfrastructureClassIsRefused) {
  EXPECT_THAT(Error(Minimal("", "", "  infrastructure:\n    priority: 50\n")),
              StartsWith("web.yaml: context.infrastructure: the infrastructure class comes from the host's "
                         "configuration"));
}

TEST_F(ManifestTest, BadClassName) {
  EXPECT_THAT(Error(Minimal("", "", "  Broker:\n    priority: 30\n")),
              StartsWith("web.yaml: context.Broker: 'Broker' is not a valid class name"));
}

TEST_F(ManifestTest, CloudInitOnlyInTheServiceClass) {
  EXPECT_THAT(Error(Minimal("", "", "  broker:\n    priority: 30\n    cloud_init:\n      user_data: x\n")),
              StartsWith("web.yaml: context.broker.cloud_init: only the service class may carry cloud_init"));
}

// --- VM name, MAC

TEST_F(ManifestTest, InvalidVmName) {
  EXPECT_THAT(Error("vm:\n  name: bad/name\n  memory_mib: 256\ncontext:\n  service:\n    priority: 10\n"),
              StartsWith("web.yaml: vm.name: 'bad/name' is not a valid VM name ("));
}

TEST_F(ManifestTest, BadMac) {
  EXPECT_THAT(Error(Minimal("  nics:\n    - mac: '52:54:00:12:34'\n")),
              StartsWith("web.yaml: vm.nics[0].mac: '52:54:00:12:34' is not a valid MAC address"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - mac: '03:54:00:12:34:56'\n")), HasSubstr("multicast"));
  EXPECT_THAT(Error(Minimal("  nics:\n    - mac: '52:54:00:12:34:56'\n    - mac: '52:54:00:12:34:56'\n")),
              StartsWith("web.yaml: vm.nics[1].mac: '52:54:00:12:34:56' is used by another NIC"));
}

// --- YAML itself

TEST_F(ManifestTest, SyntaxErrorNamesTheLine) {
  EXPECT_THAT(Error("vm:\n  name: web1\n  memory_mib: [256\ncontext: {}\n"),
              ::testing::MatchesRegex("web\\.yaml: line [0-9]+, column [0-9]+: YAML syntax error: .*"));
  EXPECT_THAT(Error("vm:\n  name: web1\n   bad: indent\n"), StartsWith("web.yaml: line 3, column"));
}

TEST_F(ManifestTest, EmptyOrNonMappingDocument) {
  EXPECT_EQ(Error(""), "web.yaml: the manifest is empty");
  EXPECT_THAT(Error("- a\n- b\n"), StartsWith("web.yaml: expected a mapping with 'vm' and 'context'"));
}

TEST_F(ManifestTest, NonStringKey) {
  EXPECT_THAT(Error(Minimal("  ? [a, b]\n  : c\n")), StartsWith("web.yaml: vm: keys must be strings"));
}

}  // namespace
}  // namespace tern::context
