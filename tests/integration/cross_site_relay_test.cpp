// Integration test: a live migration with disk copy between two sites whose hosts cannot reach each other.
// The three connections of a libvirt peer-to-peer migration (the source libvirtd's RPC connection to the
// destination libvirtd, QEMU's migration stream, the NBD disk mirror) are carried by socat relays in the
// gateways, the stand-in for tern's transfer proxy: host A -> gateway A -> underlay -> gateway B -> host B.
// Two ways are tested (docs/cross-site-migration.md): TCP URIs aimed at gateway A with relays in the gateways
// only, and unix-socket URIs with relays on the hosts too. DISABLED_ measurement: a 256 MiB guest over 100
// Mbit/s, 10 ms.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/files.h"
#include "filled_guest.h"
#include "sim_hosts.h"
#include "socat_relay.h"
#include "ternd_cluster.h"
#include "virt/virt.h"

namespace tern::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using Relays = std::vector<std::unique_ptr<SocatRelay>>;

constexpr int kLibvirtdPort = 16509;
constexpr const char* kDisk = "/var/lib/libvirt/images/xs-relay.qcow2";
constexpr const char* kSocketDir = "/var/lib/libvirt/tern-relay";  // private to each host

std::string Prerequisites() {
  if (std::string why = SimHostsUnavailableReason(); !why.empty()) return why;
  if (TestGuestDir().empty())
    return "the test guest is not built (run scripts/build-test-guest " TERN_BINARY_DIR "/test-guest)";
  for (const char* tool : {"socat", "qemu-img", "qemu-io", "cpio", "gzip"}) {
    auto found = RunShell(std::string("command -v ") + tool);
    if (!found.ok() || found->exit_code != 0)
      return std::string(tool) + " is not installed (scripts/install-deps)";
  }
  return "";
}

// Progress on stderr with the time since the test started, to see where a slow run spends it.
void Phase(const std::chrono::steady_clock::time_point& t0, const std::string& what) {
  std::fprintf(stderr, "[ %6.1f s ] %s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), what.c_str());
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

class CrossSiteRelay : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = Prerequisites();
    if (!why.empty()) {
      if (IntegrationRequired()) FAIL() << "prerequisite missing: " << why;
      GTEST_SKIP() << why;
    }
    char tmpl[] =
        "/tmp/tern-xsite-XXXXXX";  // shared by all hosts (kernel, initrd, CD-ROM images, serial log)
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    relays_.clear();
    ports_.clear();
    hosts_.reset();
    if (!dir_.empty()) (void)RunShell("rm -rf " + ShellQuote(dir_));
  }

  void StartSites(const std::string& delay, const std::string& rate) {
    SitesOptions o;
    o.hosts_per_site = {1, 1};
    o.link_delay = delay;
    o.link_rate = rate;
    auto hosts = SimHosts::StartSites(o);
    ASSERT_TRUE(hosts.ok()) << hosts.status().ToString();
    hosts_ = std::move(hosts).value();
    for (int i = 1; i <= 2; ++i) {
      auto hv = virt::ConnectLibvirt({hosts_->host(i).uri, 200ms});
      ASSERT_TRUE(hv.ok()) << hv.status().ToString();
      ports_.push_back(std::move(hv).value());
    }
  }
  virt::Hypervisor& Port(int i) { return *ports_[static_cast<size_t>(i - 1)]; }

  // A relay in site j's gateway (or host i's namespaces); kept until the test ends.
  SocatRelay* Relay(const std::vector<std::string>& prefix, const std::string& listen,
                    const std::string& target) {
    const std::string log = dir_ + "/relay" + std::to_string(relays_.size()) + ".log";
    auto r = SocatRelay::Start(prefix, listen, target, log);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return nullptr;
    relays_.push_back(std::move(r).value());
    return relays_.back().get();
  }
  // Gateway `from` listens on its site leg at entry_port and sends to gateway `to`'s underlay leg at
  // underlay_port, which sends to target_ip:target_port in its site. Returns {entry relay, exit relay}.
  std::pair<SocatRelay*, SocatRelay*> Chain(int from, int to, int entry_port, int underlay_port,
                                            const std::string& target_ip, int target_port) {
    const SimSite& a = hosts_->site(from);
    const SimSite& b = hosts_->site(to);
    SocatRelay* entry = Relay(hosts_->GatewayCommand(from),
                              "TCP-LISTEN:" + std::to_string(entry_port) + ",bind=" + a.gateway_ip,
                              "TCP:" + b.underlay_ip + ":" + std::to_string(underlay_port));
    SocatRelay* exit = Relay(hosts_->GatewayCommand(to),
                             "TCP-LISTEN:" + std::to_string(underlay_port) + ",bind=" + b.underlay_ip,
                             "TCP:" + target_ip + ":" + std::to_string(target_port));
    return {entry, exit};
  }

  // The host cannot open a connection to anything in the other site: it has no route there.
  void ExpectNoPathBetweenSites() {
    for (auto [from, to] : {std::pair{1, 2}, std::pair{2, 1}}) {
      auto route = hosts_->Exec(from, "ip route get " + hosts_->host(to).ip);
      EXPECT_FALSE(route.ok()) << "h" << from << " has a route to h" << to << ": " << *route;
      if (!route.ok()) {
        EXPECT_THAT(route.status().message(), HasSubstr("unreachable"));
      }
      EXPECT_FALSE(hosts_->Exec(from, "ip route get " + hosts_->site(to).underlay_ip).ok());
    }
  }

  // Every connection a relay accepted came from `peer_ip`; returns how many there were.
  static size_t AcceptedFrom(const SocatRelay* r, const std::string& peer_ip) {
    const auto peers = r->AcceptedPeers();
    for (const auto& p : peers) EXPECT_THAT(p, StartsWith(peer_ip + ":")) << r->description();
    return peers.size();
  }

  virt::DomainSpec GuestSpec(const std::string& name, int memory_mib) {
    virt::DomainSpec spec;
    spec.name = name;
    spec.domain_type = "qemu";  // this machine's /dev/kvm cannot boot guests (docs/hypervisor.md)
    spec.memory_mib = memory_mib;
    spec.kernel = TestGuestDir() + "/vmlinuz";
    spec.initrd = TestGuestDir() + "/initrd.img";
    spec.cmdline = "console=ttyS0 panic=-1";
    spec.disks.push_back({kDisk, "qcow2", "vda", "virtio"});
    spec.serial_log = dir_ + "/" + name + ".serial.log";
    return spec;
  }

  // The disk on host i: 64 MiB, with 4 MiB of pattern 0x5a written when `with_data`.
  void MakeDisk(int i, bool with_data) {
    std::string cmd =
        std::string("mkdir -p /var/lib/libvirt/images && qemu-img create -q -f qcow2 ") + kDisk + " 64M";
    if (with_data)
      cmd += std::string(" && qemu-io -f qcow2 -c 'write -P 0x5a 0 4M' ") + kDisk + " >/dev/null";
    auto made = hosts_->Exec(i, cmd);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  // Whether host i's copy of the disk holds the pattern (read while the guest runs: shared, read-only).
  bool DiskHasData(int i) {
    auto read = hosts_->Exec(i, std::string("qemu-io -U -r -f qcow2 -c 'read -P 0x5a 0 4M' ") + kDisk);
    return read.ok() && read->find("read 4194304/4194304") != std::string::npos &&
           read->find("verification failed") == std::string::npos;
  }

  // The domain runs on host `at` and on no other host (no domain there, no QEMU process of it).
  void ExpectRunsOnlyOn(const std::string& name, int at) {
    auto there = Port(at).Lookup(name);
    ASSERT_TRUE(there.ok()) << there.status().ToString();
    EXPECT_EQ(there->state, "running");
    const int other = at == 1 ? 2 : 1;
    EXPECT_EQ(Port(other).Lookup(name).status().code(), StatusCode::kNotFound);
    auto qemu = hosts_->Exec(other, "ls /run/libvirt/qemu/*.pid 2>/dev/null || true");
    ASSERT_TRUE(qemu.ok());
    EXPECT_EQ(qemu->find(name), std::string::npos) << "a QEMU of " << name << " is left on h" << other;
  }

  std::string dir_;
  std::unique_ptr<SimHosts> hosts_;
  std::vector<std::unique_ptr<virt::Hypervisor>> ports_;
  Relays relays_;
};

TEST_F(CrossSiteRelay, LiveMigrationWithDiskCopyThroughGatewayRelaysAndBackThroughHostSockets) {
  const auto t0 = std::chrono::steady_clock::now();
  StartSites("10ms", "1gbit");  // fast enough for CI; the measurement below uses 100mbit
  ASSERT_FALSE(HasFailure());
  Phase(t0, "sites up");
  const SimHost& h1 = hosts_->host(1);
  const SimHost& h2 = hosts_->host(2);
  const SimSite& s1 = hosts_->site(1);
  const SimSite& s2 = hosts_->site(2);
  ExpectNoPathBetweenSites();

  MakeDisk(1, true);
  MakeDisk(2, false);
  const std::string name = "xs-relay";
  virt::DomainSpec spec = GuestSpec(name, 128);
  spec.cdroms.push_back(
      {"sda", "scsi", ""});  // empty; media inserted after each migration shows where it runs
  ASSERT_TRUE(Port(1).Define(spec).ok());
  ASSERT_TRUE(Port(1).Start(name).ok());
  auto ready = WaitForFileContaining(spec.serial_log, "TERN:READY", 60s);
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  ASSERT_EQ(Count(*ready, "TERN:MEDIA"), 0);
  Phase(t0, "guest ready on h1");

  // Site 1 -> site 2, relays in the gateways only. The source libvirtd dials gateway 1 for the destination's
  // libvirtd; QEMU's stream and the NBD mirror go to gateway 1 too (the source dials migrate_uri's host, the
  // destination listens on listen_address at the same ports), so each port is the same at both ends.
  auto [rpc_in, rpc_out] = Chain(1, 2, kLibvirtdPort, 26509, h2.ip, kLibvirtdPort);
  auto [mem_in, mem_out] = Chain(1, 2, 49300, 49300, h2.ip, 49300);
  auto [nbd_in, nbd_out] = Chain(1, 2, 49301, 49301, h2.ip, 49301);
  ASSERT_FALSE(HasFailure());
  virt::MigrationOptions to_b;
  to_b.dest_uri = "qemu+tcp://" + s1.gateway_ip + ":" + std::to_string(kLibvirtdPort) + "/system";
  to_b.migrate_uri = "tcp://" + s1.gateway_ip + ":49300";
  to_b.listen_address = h2.ip;
  to_b.disks_port = 49301;
  to_b.copy_storage_all = true;
  auto there = Port(1).Migrate(name, to_b);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  Phase(t0, "migrated to h2");
  std::printf("site 1 -> 2 (TCP, gateway relays): total %llu ms, downtime %llu ms, %llu bytes\n",
              static_cast<unsigned long long>(there->total_ms),
              static_cast<unsigned long long>(there->downtime_ms),
              static_cast<unsigned long long>(there->bytes));
  ExpectRunsOnlyOn(name, 2);
  EXPECT_TRUE(DiskHasData(2)) << "the disk was not copied to h2";
  // Exactly the three connections, each from the source host to its own gateway, then gateway to gateway.
  for (SocatRelay* in : {rpc_in, mem_in, nbd_in}) EXPECT_EQ(AcceptedFrom(in, h1.ip), 1u) << in->description();
  for (SocatRelay* out : {rpc_out, mem_out, nbd_out})
    EXPECT_EQ(AcceptedFrom(out, s1.underlay_ip), 1u) << out->description();
  // The guest lives on at the destination: only h2's QEMU can see media inserted through h2's libvirtd.
  const std::string media_a = dir_ + "/media-a.img", media_b = dir_ + "/media-b.img";
  ASSERT_TRUE(
      RunCommand("head -c 1M /dev/urandom > " + media_a + " && head -c 1M /dev/urandom > " + media_b).ok());
  Status inserted = Port(2).ChangeMedia(name, {"sda", "scsi", media_a});
  ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  auto alive = WaitForFileContaining(spec.serial_log, "TERN:MEDIA dev=sr0 event=insert", 30s);
  EXPECT_TRUE(alive.ok()) << alive.status().ToString();

  // Site 2 -> site 1, with unix-socket URIs: a relay on each host turns the socket into a TCP connection to
  // its gateway (source) or back (destination), so no port has to match across the chain (here none does).
  MakeDisk(1, false);
  for (int i : {1, 2}) ASSERT_TRUE(hosts_->Exec(i, std::string("mkdir -p ") + kSocketDir).ok());
  const std::string mem_sock = std::string(kSocketDir) + "/mem.sock",
                    nbd_sock = std::string(kSocketDir) + "/nbd.sock";
  auto [rpc2_in, rpc2_out] = Chain(2, 1, kLibvirtdPort, 26510, h1.ip, kLibvirtdPort);
  Relay(hosts_->HostCommand(2), "UNIX-LISTEN:" + mem_sock, "TCP:" + s2.gateway_ip + ":49310");
  Relay(hosts_->HostCommand(2), "UNIX-LISTEN:" + nbd_sock, "TCP:" + s2.gateway_ip + ":49311");
  auto [mem2_in, mem2_out] = Chain(2, 1, 49310, 49320, h1.ip, 49330);
  auto [nbd2_in, nbd2_out] = Chain(2, 1, 49311, 49321, h1.ip, 49331);
  Relay(hosts_->HostCommand(1), "TCP-LISTEN:49330,bind=" + h1.ip, "UNIX-CONNECT:" + mem_sock);
  Relay(hosts_->HostCommand(1), "TCP-LISTEN:49331,bind=" + h1.ip, "UNIX-CONNECT:" + nbd_sock);
  ASSERT_FALSE(HasFailure());
  virt::MigrationOptions to_a;
  to_a.dest_uri = "qemu+tcp://" + s2.gateway_ip + ":" + std::to_string(kLibvirtdPort) + "/system";
  to_a.migrate_uri = "unix://" + mem_sock;
  to_a.disks_uri = "unix://" + nbd_sock;
  to_a.copy_storage_all = true;
  Phase(t0, "relays for the way back up");
  auto back = Port(2).Migrate(name, to_a);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  Phase(t0, "migrated back to h1");
  std::printf(
      "site 2 -> 1 (unix sockets, host and gateway relays): total %llu ms, downtime %llu ms, %llu bytes\n",
      static_cast<unsigned long long>(back->total_ms), static_cast<unsigned long long>(back->downtime_ms),
      static_cast<unsigned long long>(back->bytes));
  ExpectRunsOnlyOn(name, 1);
  EXPECT_TRUE(DiskHasData(1)) << "the disk was not copied back to h1";
  for (SocatRelay* in : {rpc2_in, mem2_in, nbd2_in})
    EXPECT_EQ(AcceptedFrom(in, h2.ip), 1u) << in->description();
  for (SocatRelay* out : {rpc2_out, mem2_out, nbd2_out})
    EXPECT_EQ(AcceptedFrom(out, s2.underlay_ip), 1u) << out->description();
  // (A hot-plugged drive this time: changing the media of a closed tray races with QEMU opening it.)
  Status attached = Port(1).AttachCdrom(name, {"sdb", "scsi", media_b});
  ASSERT_TRUE(attached.ok()) << attached.ToString();
  auto alive_again = WaitForFileContaining(spec.serial_log, "TERN:DEVICE dev=sr1 event=add", 30s);
  EXPECT_TRUE(alive_again.ok()) << alive_again.status().ToString();
  ExpectNoPathBetweenSites();
  EXPECT_TRUE(Port(1).Destroy(name).ok());
  Phase(t0, "done");
}

// A relay that refuses (nothing behind the destination gateway) fails the migration and the guest keeps
// running at the source.
TEST_F(CrossSiteRelay, BrokenRelayLeavesTheGuestRunningAtTheSource) {
  StartSites("10ms", "1gbit");
  ASSERT_FALSE(HasFailure());
  MakeDisk(1, true);
  MakeDisk(2, false);
  const std::string name = "xs-broken";
  virt::DomainSpec spec = GuestSpec(name, 128);
  ASSERT_TRUE(Port(1).Define(spec).ok());
  ASSERT_TRUE(Port(1).Start(name).ok());
  const SimSite& s1 = hosts_->site(1);
  // RPC and memory relays work; the NBD relay's far end points at a port where nothing listens.
  Chain(1, 2, kLibvirtdPort, 26509, hosts_->host(2).ip, kLibvirtdPort);
  Chain(1, 2, 49300, 49300, hosts_->host(2).ip, 49300);
  Chain(1, 2, 49301, 49301, hosts_->host(2).ip, 49399);
  ASSERT_FALSE(HasFailure());
  virt::MigrationOptions opts;
  opts.dest_uri = "qemu+tcp://" + s1.gateway_ip + "/system";
  opts.migrate_uri = "tcp://" + s1.gateway_ip + ":49300";
  opts.listen_address = hosts_->host(2).ip;
  opts.disks_port = 49301;
  opts.copy_storage_all = true;
  auto failed = Port(1).Migrate(name, opts);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr(name));
  ExpectRunsOnlyOn(name, 1);
  EXPECT_TRUE(Port(1).Destroy(name).ok());
}

// The baseline of bench/migration (a): plain libvirt/QEMU live migration (with disk copy) of a 256 MiB guest
// (64 MiB random + 64 MiB text in RAM) through socat relays over a 100 Mbit/s, 10 ms link. Run by hand:
//   cross_site_relay_integration_test --gtest_also_run_disabled_tests --gtest_filter='*Measure*'
TEST_F(CrossSiteRelay, DISABLED_Measure256MiBGuestOver100Mbit) {
  auto files = MakeFilledGuest(dir_, TestGuestDir() + "/initrd.img", 64, 64);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  StartSites("10ms", "100mbit");
  ASSERT_FALSE(HasFailure());
  const SimHost& h2 = hosts_->host(2);
  const SimSite& s1 = hosts_->site(1);
  MakeDisk(1, true);
  MakeDisk(2, false);
  const std::string name = "xs-measure";
  virt::DomainSpec spec = GuestSpec(name, 256);
  spec.initrd = files->initrd;
  spec.cmdline += std::string(" ") + kFillCmdline;
  spec.cdroms.push_back({"sda", "scsi", files->data_iso});
  ASSERT_TRUE(Port(1).Define(spec).ok());
  ASSERT_TRUE(Port(1).Start(name).ok());
  auto ready = WaitForFileContaining(spec.serial_log, "TERN:READY", 120s);
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  ASSERT_THAT(*ready, HasSubstr("TERN:FILLED bytes=134217728"));

  Chain(1, 2, kLibvirtdPort, 26509, h2.ip, kLibvirtdPort);
  Chain(1, 2, 49300, 49300, h2.ip, 49300);
  Chain(1, 2, 49301, 49301, h2.ip, 49301);
  ASSERT_FALSE(HasFailure());
  auto counter = [&](int site, const std::string& which) {
    auto v = hosts_->ExecInGateway(site, "cat /sys/class/net/ul0/statistics/" + which);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::stoull(*v) : 0ull;
  };
  auto load = [] {
    auto l = ReadFile("/proc/loadavg");
    return l.ok() ? l->substr(0, l->find(' ', l->find(' ', l->find(' ') + 1) + 1)) : std::string("?");
  };
  const std::string load_before = load();
  const unsigned long long tx0 = counter(1, "tx_bytes"), rx0 = counter(1, "rx_bytes");
  virt::MigrationOptions opts;
  opts.dest_uri = "qemu+tcp://" + s1.gateway_ip + "/system";
  opts.migrate_uri = "tcp://" + s1.gateway_ip + ":49300";
  opts.listen_address = h2.ip;
  opts.disks_port = 49301;
  opts.copy_storage_all = true;
  const auto t0 = std::chrono::steady_clock::now();
  auto result = Port(1).Migrate(name, opts);
  const auto wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const unsigned long long wire = counter(1, "tx_bytes") - tx0, back = counter(1, "rx_bytes") - rx0;
  ExpectRunsOnlyOn(name, 2);
  const double bound_s = static_cast<double>(wire) * 8 / 100e6;
  std::printf(
      "cross-site relay baseline (socat, 100 Mbit/s, 10 ms one way), 256 MiB guest (64 MiB random + 64 MiB "
      "text), "
      "64 MiB disk (4 MiB data):\n"
      "  total %.2f s (libvirt job), %.2f s (Migrate call), downtime %llu ms\n"
      "  QEMU processed %.1f MiB; on the underlay %.1f MiB forward, %.1f MiB back; wire bound %.2f s\n"
      "  load average before %s, after %s\n",
      static_cast<double>(result->total_ms) / 1000, static_cast<double>(wall_ms) / 1000,
      static_cast<unsigned long long>(result->downtime_ms), static_cast<double>(result->bytes) / (1 << 20),
      static_cast<double>(wire) / (1 << 20), static_cast<double>(back) / (1 << 20), bound_s,
      load_before.c_str(), load().c_str());
  EXPECT_TRUE(Port(2).Destroy(name).ok());
}

}  // namespace
}  // namespace tern::testing
