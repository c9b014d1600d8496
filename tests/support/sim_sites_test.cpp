// Tests of the site topology of the simulated hosts harness (SimHosts::StartSites): hosts of one site reach
// each other and their gateway; hosts of different sites cannot reach each other, not even when given routes,
// because gateways do not forward; gateways reach each other over the underlay, whose delay and rate are what
// was configured; teardown removes gateways, underlay and link process too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sim_hosts.h"
#include "socat_relay.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;

bool Required() {
  const char* v = std::getenv("TERN_REQUIRE_INTEGRATION");
  return v != nullptr && std::string(v) == "1";
}

std::string Prerequisites() {
  if (std::string why = SimHostsUnavailableReason(); !why.empty()) return why;
  for (const char* tool : {"ping", "socat", "tc"}) {
    auto found = RunShell(std::string("command -v ") + tool);
    if (!found.ok() || found->exit_code != 0)
      return std::string(tool) + " is not installed (scripts/install-deps)";
  }
  return "";
}

std::string Trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// "rtt min/avg/max/mdev = 20.3/20.9/21.8/0.5 ms" -> min in ms, or -1.
double MinRttMs(const std::string& ping_output) {
  const auto at = ping_output.find(" = ");
  if (at == std::string::npos) return -1;
  return std::atof(ping_output.c_str() + at + 3);
}

bool Alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) return false;
  const auto paren = content.rfind(')');
  return paren != std::string::npos && paren + 2 < content.size() && content[paren + 2] != 'Z';
}

class SimSitesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = Prerequisites();
    if (!why.empty()) {
      if (Required()) FAIL() << "prerequisite missing: " << why;
      GTEST_SKIP() << why;
    }
  }
};

TEST_F(SimSitesTest, HostsOfDifferentSitesAreCutOffWhileGatewaysTalkOverTheShapedUnderlay) {
  SitesOptions options;
  options.hosts_per_site = {2, 1};
  options.link_delay = "10ms";
  options.link_rate = "20mbit";  // low, so that the rate check moves few bytes
  const auto t0 = std::chrono::steady_clock::now();
  auto started = SimHosts::StartSites(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  SimHosts& hosts = **started;
  std::fprintf(stderr, "[ simhosts ] up 2 sites (2 + 1 hosts): %lld ms\n",
               static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - t0)
                                          .count()));

  ASSERT_EQ(hosts.site_count(), 2);
  ASSERT_EQ(hosts.size(), 3);
  const SimSite& s1 = hosts.site(1);
  const SimSite& s2 = hosts.site(2);
  EXPECT_EQ(s1.hosts, (std::vector<int>{1, 2}));
  EXPECT_EQ(s2.hosts, (std::vector<int>{3}));
  EXPECT_EQ(hosts.host(2).site, 1);
  EXPECT_EQ(hosts.host(3).site, 2);
  EXPECT_EQ(hosts.link_delay_us(), 10000);
  EXPECT_TRUE(hosts.fabric_ns().empty());
  EXPECT_EQ(hosts.ExecInFabric("true").status().code(), StatusCode::kFailedPrecondition);
  const SimHost& h1 = hosts.host(1);
  const SimHost& h2 = hosts.host(2);
  const SimHost& h3 = hosts.host(3);

  // Within a site: hosts reach each other (libvirtd too, as p2p migration needs) and the gateway.
  EXPECT_TRUE(hosts.Exec(1, "ping -c1 -W2 " + h2.ip).ok());
  auto intra = hosts.Exec(1, "virsh -q -c " + ShellQuote(h2.tcp_uri) + " hostname");
  ASSERT_TRUE(intra.ok()) << intra.status().ToString();
  EXPECT_EQ(Trimmed(*intra), h2.hostname);
  EXPECT_TRUE(hosts.Exec(1, "ping -c1 -W2 " + s1.gateway_ip).ok());
  EXPECT_TRUE(hosts.Exec(3, "ping -c1 -W2 " + s2.gateway_ip).ok());
  auto from_gw = hosts.ExecInGateway(2, "virsh -q -c " + ShellQuote(h3.tcp_uri) + " hostname");
  ASSERT_TRUE(from_gw.ok()) << from_gw.status().ToString();
  EXPECT_EQ(Trimmed(*from_gw), h3.hostname);

  // Across sites: no route from a host to anything outside its site, so no ping, no TCP connect.
  auto route = hosts.Exec(1, "ip route get " + h3.ip);
  EXPECT_FALSE(route.ok()) << "h1 has a route to h3: " << *route;
  EXPECT_NE(route.status().message().find("unreachable"), std::string::npos) << route.status().ToString();
  for (const std::string& target : {h3.ip, s2.gateway_ip, s2.underlay_ip, s1.underlay_ip}) {
    EXPECT_FALSE(hosts.Exec(1, "ping -c1 -W1 " + target).ok()) << "h1 reaches " << target;
  }
  EXPECT_FALSE(hosts.Exec(1, "timeout 3 socat -u /dev/null TCP:" + h3.ip + ":16509,connect-timeout=2").ok());
  EXPECT_FALSE(hosts.Exec(3, "timeout 3 socat -u /dev/null TCP:" + h1.ip + ":16509,connect-timeout=2").ok());
  // Nor from a gateway into another site.
  EXPECT_FALSE(hosts.ExecInGateway(1, "ping -c1 -W1 " + h3.ip).ok());
  // Nor with routes through the gateways: they do not forward.
  ASSERT_TRUE(hosts.Exec(1, "ip route add default via " + s1.gateway_ip).ok());
  ASSERT_TRUE(hosts.Exec(3, "ip route add default via " + s2.gateway_ip).ok());
  ASSERT_TRUE(hosts.ExecInGateway(1, "ip route add " + s2.subnet + " via " + s2.underlay_ip).ok());
  ASSERT_TRUE(hosts.ExecInGateway(2, "ip route add " + s1.subnet + " via " + s1.underlay_ip).ok());
  EXPECT_FALSE(hosts.Exec(1, "ping -c2 -W1 " + h3.ip).ok()) << "a gateway forwarded h1 -> h3";
  EXPECT_FALSE(hosts.Exec(1, "timeout 3 socat -u /dev/null TCP:" + h3.ip + ":16509,connect-timeout=2").ok());
  EXPECT_FALSE(hosts.ExecInGateway(1, "ping -c1 -W1 " + h3.ip).ok()) << "gateway 2 forwarded gw1 -> h3";
  ASSERT_TRUE(hosts.Exec(1, "ip route del default").ok());
  ASSERT_TRUE(hosts.Exec(3, "ip route del default").ok());
  ASSERT_TRUE(hosts.ExecInGateway(1, "ip route del " + s2.subnet).ok());
  ASSERT_TRUE(hosts.ExecInGateway(2, "ip route del " + s1.subnet).ok());

  // Gateway to gateway: a round trip is two link delays (10 ms each way).
  auto ping = hosts.ExecInGateway(1, "ping -c5 -i0.2 -q " + s2.underlay_ip);
  ASSERT_TRUE(ping.ok()) << ping.status().ToString();
  const double rtt = MinRttMs(*ping);
  std::fprintf(stderr, "[ simhosts ] gateway round trip (min of 5): %.2f ms, configured 2 x 10 ms\n", rtt);
  EXPECT_GE(rtt, 19.9) << *ping;
  EXPECT_LE(rtt, 30.0) << *ping;

  // The rate: 2.5 MB from gw1 to gw2 at 20 Mbit/s take at least 1 s (htb lets no more through; the machine's
  // load can only make it slower). The sink answers once it has read everything, so the time covers delivery,
  // not just the sender's writes into its socket buffer. tc shows the class.
  const std::string dir = hosts.run_dir();
  auto sink = SocatRelay::Start(hosts.GatewayCommand(2), "TCP-LISTEN:40001,bind=" + s2.underlay_ip,
                                "SYSTEM:cat >/dev/null; echo received", dir + "/sink.log");
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  auto timed = hosts.ExecInGateway(
      1, "t0=$(date +%s%N); head -c 2500000 /dev/zero | socat -t 30 - TCP:" + s2.underlay_ip +
             ":40001 && echo $(( ($(date +%s%N) - t0) / 1000000 ))");
  ASSERT_TRUE(timed.ok()) << timed.status().ToString();
  ASSERT_NE(timed->find("received"), std::string::npos) << *timed;
  const long ms = std::atol(Trimmed(timed->substr(timed->find("received") + 8)).c_str());
  const double mbit_s = 2500000.0 * 8 / 1e6 / (static_cast<double>(ms) / 1000.0);
  std::fprintf(stderr, "[ simhosts ] 2.5 MB over the 20 Mbit/s underlay: %ld ms = %.1f Mbit/s\n", ms, mbit_s);
  EXPECT_GE(ms, 950) << "faster than the configured rate allows";
  EXPECT_LE(mbit_s, 21.0);
  EXPECT_EQ((*sink)->AcceptedPeers().size(), 1u);
  auto tc = hosts.ExecInGateway(1, "tc class show dev ul0");
  ASSERT_TRUE(tc.ok()) << tc.status().ToString();
  EXPECT_NE(tc->find("rate 20Mbit"), std::string::npos) << *tc;
  sink->reset();

  // Teardown: hosts, gateways, underlay and the link process are gone.
  const std::string run_id = hosts.run_id();
  std::ifstream ready(dir + "/wire.ready");
  int wire_pid = 0;
  ready >> wire_pid;
  ASSERT_GT(wire_pid, 0);
  ASSERT_TRUE(Alive(wire_pid));
  auto before = RunCommand("ip netns list | grep -c 'tern-" + run_id + "-' || true");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(Trimmed(*before), "6");  // 3 hosts, 2 gateways, the underlay
  ASSERT_TRUE(hosts.Down().ok());
  auto after = RunCommand("ip netns list | grep -c 'tern-" + run_id + "-' || true");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Trimmed(*after), "0");
  bool gone = false;
  for (int i = 0; i < 60 && !gone; ++i) {
    gone = !Alive(wire_pid);
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone) << "tern-simwire " << wire_pid << " survived down";
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(SimSitesTest, RejectsBadSiteOptions) {
  SitesOptions one;
  one.hosts_per_site = {2};
  EXPECT_EQ(SimHosts::StartSites(one).status().code(), StatusCode::kInvalidArgument);
  SitesOptions empty_site;
  empty_site.hosts_per_site = {1, 0};
  EXPECT_EQ(SimHosts::StartSites(empty_site).status().code(), StatusCode::kInvalidArgument);
  SitesOptions bad_delay;
  bad_delay.hosts_per_site = {1, 1};
  bad_delay.link_delay = "ten";
  auto r = SimHosts::StartSites(bad_delay);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--delay"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace tern::testing
