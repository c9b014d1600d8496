// Unit tests of the pure parts of ternd's tern-network support: UDP NICs in domain XML, the switch's status
// file, the tern-switch command line, UDP port picking, and the `switch:` configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/daemon_config.h"
#include "daemon/nic_xml.h"
#include "daemon/switch_launch.h"
#include "daemon/switch_status.h"
#include "daemon/udp_port_pool.h"

namespace tern::daemon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kDomain = R"(<domain type='qemu'>
  <name>web1</name>
  <devices>
    <interface type='udp'>
      <mac address='52:54:00:aa:bb:01'/>
      <source address='127.0.0.1' port='42000'>
        <local address='127.0.0.1' port='42001'/>
      </source>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>
    <interface type="network">
      <mac address="52:54:00:aa:bb:09"/>
      <source network="default"/>
    </interface>
    <interface type="udp">
      <mac address="52:54:00:aa:bb:02"/>
      <source address="127.0.0.1" port="42002">
        <local address="127.0.0.1" port="42003"/>
      </source>
    </interface>
  </devices>
</domain>
)";

TEST(NicXmlTest, ListsUdpInterfacesOnly) {
  EXPECT_THAT(ListUdpNics(kDomain), ElementsAre(UdpNic{"52:54:00:aa:bb:01", 42000, 42001},
                                                UdpNic{"52:54:00:aa:bb:02", 42002, 42003}));
  EXPECT_TRUE(ListUdpNics("<domain><devices/></domain>").empty());
}

TEST(NicXmlTest, MovesNicsOntoNewPortsEvenWhenTheySwapPorts) {
  // The second NIC takes the first one's old ports: matching happens on the original XML.
  auto moved = MoveUdpNics(kDomain, {{42000, 42001, 50000, 50001}, {42002, 42003, 42000, 42001}});
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_THAT(ListUdpNics(*moved), ElementsAre(UdpNic{"52:54:00:aa:bb:01", 50000, 50001},
                                               UdpNic{"52:54:00:aa:bb:02", 42000, 42001}));
  EXPECT_THAT(*moved, HasSubstr("<source network=\"default\"/>"));
  EXPECT_THAT(*moved, HasSubstr("slot='0x03'"));
  auto missing = MoveUdpNics(kDomain, {{1, 2, 3, 4}});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("switch port 1 and QEMU port 2"));
}

TEST(NicXmlTest, AddsAUdpInterfaceBeforeTheEndOfDevices) {
  auto added = AddUdpNic(kDomain, {"52:54:00:aa:bb:03", 42004, 42005});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(ListUdpNics(*added).size(), 3u);
  EXPECT_EQ(ListUdpNics(*added)[2], (UdpNic{"52:54:00:aa:bb:03", 42004, 42005}));
  EXPECT_LT(added->find("52:54:00:aa:bb:03"), added->find("</devices>"));
  auto dup = AddUdpNic(kDomain, {"52:54:00:AA:BB:09", 1, 2});
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.status().message(), HasSubstr("already has an interface with MAC"));
  EXPECT_FALSE(AddUdpNic("<domain/>", {"52:54:00:aa:bb:03", 1, 2}).ok());
}

TEST(SwitchStatusTest, ParsesWhatTernSwitchWrites) {
  auto s = ParseSwitchStatus(R"({"pid": 42, "network": "blue", "session": "00ff", "listen": "10.0.0.1:7600",
    "state": "member", "mtu": 1414, "cipher": "aes-256-gcm", "encrypted": false,
    "peers": [{"session": "11", "endpoint": "10.0.0.2:7600", "state": "alive", "silent_ms": 120}],
    "ports": [{"port": "local:0", "name": "udp:...", "kind": "vm", "local": 42000, "remote": 42001, "label": "web1"},
              {"port": "local:1", "name": "tap:t0", "kind": "tap"}],
    "port_errors": ["42002:42003: network 'blue' VM port 127.0.0.1:42002: address in use"],
    "macs": [{"mac": "52:54:00:00:00:01"}], "counters": {"rx_local_frames": 7}})",
                             "blue.status.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pid, 42);
  EXPECT_EQ(s->state, "member");
  ASSERT_EQ(s->peers.size(), 1u);
  EXPECT_EQ(s->peers[0].silent_ms, 120);
  EXPECT_TRUE(s->HasVmPort(42000, 42001));
  EXPECT_FALSE(s->HasVmPort(42000, 42009));
  EXPECT_THAT(s->PortError(42002, 42003), HasSubstr("address in use"));
  EXPECT_EQ(s->PortError(42000, 42001), "");
  EXPECT_EQ(s->macs, 1);
  EXPECT_EQ(s->counters.at("rx_local_frames"), 7u);
  auto bad = ParseSwitchStatus("{half", "x.json");
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("x.json"));
  EXPECT_FALSE(ParseSwitchStatus(R"({"pid": "nope"})", "x.json").ok());
}

TEST(SwitchLaunchTest, JoinsThroughEveryOtherHostOfTheSite) {
  SwitchSettings s;
  s.address = "10.0.0.1";
  s.underlay_mtu = 9000;
  const store::NetworkRecord n{"blue", std::string(64, 'f'), 7605, true, 1, "h1"};
  const NetworkFiles f = FilesOf("/var/lib/tern", "blue");
  EXPECT_EQ(f.key, "/var/lib/tern/networks/blue.key");
  const SwitchCommand c =
      BuildSwitchCommand("/usr/bin/tern-switch", s, n, {"10.0.0.2", "10.0.0.1", "10.0.0.3"}, f);
  EXPECT_THAT(c.argv, ElementsAre("/usr/bin/tern-switch", "run", "--network", "blue", "--key-file", f.key,
                                  "--listen", "10.0.0.1:7605", "--join", "10.0.0.2:7605", "--join",
                                  "10.0.0.3:7605", "--ports-file", f.ports, "--status-file", f.status,
                                  "--underlay-mtu", "9000", "--heartbeat-ms", "1000", "--encrypt"));
  EXPECT_EQ(c.status_path, f.status);
  // The key itself is never on a command line.
  for (const auto& a : c.argv) EXPECT_EQ(a.find("ffff"), std::string::npos) << a;
}

TEST(UdpPortPoolTest, PicksTheLowestFreePairAndSaysWhenTheRangeIsFull) {
  const PortRange r{100, 105};
  auto p = PickPortPair(r, {100, 102}, [](int port) { return port != 101; });
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::pair{103, 104}));
  auto full = PickPortPair(r, {100, 101, 102, 103, 104}, [](int) { return true; });
  EXPECT_EQ(full.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(full.status().message(), HasSubstr("switch.vm_ports 100-105"));
}

TEST(SwitchSettingsTest, DefaultsFollowTheApiAddressAndPeersTheirApiHost) {
  auto c = ParseDaemonConfigText(
      "host:\n  name: h1\napi:\n  listen: 10.0.0.1:7480\ninfrastructure:\n  priority: 5\npeers:\n"
      "  - name: h2\n    api: \"http://10.0.0.2:7480\"\n    libvirt: \"qemu+tcp://10.0.0.2/system\"\n"
      "  - name: h3\n    api: \"http://h3.example:7480\"\n    libvirt: \"qemu+tcp://h3/system\"\n"
      "    switch_address: 192.168.0.3\n",
      "ternd.yaml", "/etc/tern");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->net_switch.address, "10.0.0.1");
  EXPECT_EQ(c->net_switch.network_ports.ToString(), "7600-7699");
  EXPECT_EQ(c->peers[0].switch_address, "10.0.0.2");
  EXPECT_EQ(c->peers[1].switch_address, "192.168.0.3");
}

TEST(SwitchSettingsTest, ReadsTheSwitchSectionAndRefusesBadValues) {
  const std::string head = "host:\n  name: h1\ninfrastructure:\n  priority: 5\nswitch:\n";
  auto c =
      ParseDaemonConfigText(head +
                                "  binary: bin/tern-switch\n  address: 10.1.0.1\n  network_ports: 9000-9009\n"
                                "  vm_ports: 50000-50999\n  underlay_mtu: 9000\n  heartbeat_ms: 250\n",
                            "ternd.yaml", "/etc/tern");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->net_switch.binary, "/etc/tern/bin/tern-switch");
  EXPECT_EQ(c->net_switch.address, "10.1.0.1");
  EXPECT_EQ(c->net_switch.vm_ports.first, 50000);
  EXPECT_EQ(c->net_switch.underlay_mtu, 9000);
  EXPECT_EQ(c->net_switch.heartbeat_ms, 250);
  const std::pair<const char*, const char*> bad[] = {
      {"  mtu: 1500\n", "ternd.yaml: switch.mtu: unknown key 'mtu'"},
      {"  address: h1.example\n", "switch.address: 'h1.example' is not an IPv4 address"},
      {"  vm_ports: 50000\n", "switch.vm_ports: '50000' is not a port range FIRST-LAST"},
      {"  vm_ports: 60000-50000\n", "is not a port range"},
      {"  vm_ports: 7650-7700\n", "switch.vm_ports: 7650-7700 overlaps network_ports 7600-7699"},
      {"  vm_ports: 50000-50000\n", "needs at least two ports"},
      {"  underlay_mtu: 500\n", "switch.underlay_mtu: expected an integer between 1280 and 65535"},
      {"  heartbeat_ms: [1]\n", "switch.heartbeat_ms: expected a scalar"},
  };
  for (const auto& [text, message] : bad) {
    auto r = ParseDaemonConfigText(head + text, "ternd.yaml", "/etc/tern");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_THAT(r.status().message(), HasSubstr(message)) << text;
  }
}

}  // namespace
}  // namespace tern::daemon
