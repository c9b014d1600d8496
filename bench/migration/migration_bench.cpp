// bench/migration: live migration with disk copy of the same filled test guest between two simulated sites
// over the same shaped link, in one run, through relays in the gateways: (a) plain libvirt/QEMU, (b) QEMU
// multifd + zstd, (c) tern's transfer proxies (a relay command, when given). Prints total time, downtime,
// bytes on the underlay (interface counters: QEMU counts uncompressed bytes) and the bound, side by side.
// Never a pass/fail test. See bench/migration/README.md.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/files.h"
#include "filled_guest.h"
#include "sim_hosts.h"
#include "socat_relay.h"
#include "ternd_cluster.h"
#include "virt/virt.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kLibvirtdPort = 16509;
constexpr const char* kDisk = "/var/lib/libvirt/images/bench-migration.qcow2";
constexpr const char* kName = "bench-migration";

struct Options {
  int memory_mib = 256;
  std::string rate = "100mbit";
  std::string delay = "10ms";
  int channels = 4;
  std::string tern_relay;  // command template for mode (c); empty: not measured
};

// A relay process in a gateway, listening on listen_ip:listen_port and forwarding every connection to
// target_ip:target_port. Stopped when destroyed.
class Relay {
 public:
  virtual ~Relay() = default;
};

class SocatGatewayRelay : public Relay {
 public:
  explicit SocatGatewayRelay(std::unique_ptr<SocatRelay> r) : r_(std::move(r)) {}

 private:
  std::unique_ptr<SocatRelay> r_;
};

// Runs an operator-supplied command (mode c) in the gateway as its own process group; ready when the port
// listens there.
class CommandGatewayRelay : public Relay {
 public:
  static Result<std::unique_ptr<Relay>> Start(const SimHosts& hosts, int site, const std::string& command,
                                              int listen_port, const std::string& log) {
    auto pid = hosts.ExecInGateway(
        site, "setsid sh -c " + ShellQuote(command) + " >" + ShellQuote(log) + " 2>&1 </dev/null & echo $!");
    if (!pid.ok()) return pid.status();
    std::unique_ptr<CommandGatewayRelay> r(new CommandGatewayRelay());
    r->pgid_ = std::atoi(pid->c_str());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      auto listening = hosts.ExecInGateway(site, "ss -ltnH 'sport = :" + std::to_string(listen_port) + "'");
      if (listening.ok() && !listening->empty()) return std::unique_ptr<Relay>(std::move(r));
      if (std::chrono::steady_clock::now() >= deadline) {
        auto text = ReadFile(log);
        return Status::Unavailable("relay command '" + command + "' does not listen on port " +
                                   std::to_string(listen_port) +
                                   " after 10 s: " + (text.ok() ? *text : std::string("(no log)")));
      }
      std::this_thread::sleep_for(100ms);
    }
  }
  ~CommandGatewayRelay() override {
    if (pgid_ > 0) ::kill(-pgid_, SIGTERM);
  }

 private:
  CommandGatewayRelay() = default;
  int pgid_ = 0;
};

// How one column of the table migrates: the relays in the gateways and the migration settings.
struct Mode {
  std::string title;
  int channels = 0;  // multifd channels, 0: one stream
  bool zstd = false;
  // Starts a relay in site `site`'s gateway; empty: the mode is not measured.
  std::function<Result<std::unique_ptr<Relay>>(const SimHosts&, int site, const std::string& listen_ip,
                                               int listen_port, const std::string& target_ip, int target_port,
                                               const std::string& log)>
      relay;
};

struct Figures {
  bool measured = false;
  std::string error;
  int from = 0, to = 0;
  double job_s = 0, call_s = 0, downtime_ms = 0;
  double qemu_mib = 0, wire_mib = 0, back_mib = 0;
  std::string load;
};

std::string Load() {
  auto l = ReadFile("/proc/loadavg");
  if (!l.ok()) return "?";
  return l->substr(0, l->find(' '));
}

// "100mbit" -> 1e8 bits per second (tc's units: kbit, mbit, gbit, bit).
double BitsPerSecond(const std::string& rate) {
  const double v = std::atof(rate.c_str());
  if (rate.find("gbit") != std::string::npos) return v * 1e9;
  if (rate.find("mbit") != std::string::npos) return v * 1e6;
  if (rate.find("kbit") != std::string::npos) return v * 1e3;
  return v;
}

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}
  ~Bench() {
    relays_.clear();
    ports_.clear();
    hosts_.reset();
    if (!dir_.empty()) (void)RunShell("rm -rf " + ShellQuote(dir_));
  }

  int Run() {
    if (std::string why = SimHostsUnavailableReason(); !why.empty()) return Fail(why);
    if (TestGuestDir().empty()) return Fail("the test guest is not built (scripts/build-test-guest)");
    char tmpl[] = "/tmp/tern-bench-migration-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Fail("mkdtemp failed");
    dir_ = tmpl;
    random_mib_ = o_.memory_mib / 4;
    text_mib_ = o_.memory_mib / 4;
    std::fprintf(stderr, "making the filled guest (%d MiB random + %d MiB text)...\n", random_mib_,
                 text_mib_);
    auto files = MakeFilledGuest(dir_, TestGuestDir() + "/initrd.img", random_mib_, text_mib_);
    if (!files.ok()) return Fail(files.status().ToString());
    auto zstd = RunCommand("zstd -1 -T1 -c " + ShellQuote(files->data_iso) + " | wc -c");
    const double zstd_mib = zstd.ok() ? std::atof(zstd->c_str()) / (1 << 20) : -1;

    SitesOptions so;
    so.hosts_per_site = {1, 1};
    so.link_delay = o_.delay;
    so.link_rate = o_.rate;
    std::fprintf(stderr, "starting two sites, link %s, %s one way...\n", o_.rate.c_str(), o_.delay.c_str());
    auto hosts = SimHosts::StartSites(so);
    if (!hosts.ok()) return Fail(hosts.status().ToString());
    hosts_ = std::move(hosts).value();
    for (int i = 1; i <= 2; ++i) {
      auto hv = virt::ConnectLibvirt({hosts_->host(i).uri, 200ms});
      if (!hv.ok()) return Fail(hv.status().ToString());
      ports_.push_back(std::move(hv).value());
    }

    // The guest boots once on h1 and then moves back and forth: mode k migrates from h(1 + k%2).
    if (Status s = MakeDisk(1, true); !s.ok()) return Fail(s.ToString());
    virt::DomainSpec spec;
    spec.name = kName;
    spec.domain_type = "qemu";
    spec.memory_mib = o_.memory_mib;
    spec.kernel = TestGuestDir() + "/vmlinuz";
    spec.initrd = files->initrd;
    spec.cmdline = std::string("console=ttyS0 panic=-1 ") + kFillCmdline;
    spec.disks.push_back({kDisk, "qcow2", "vda", "virtio"});
    spec.cdroms.push_back({"sda", "scsi", files->data_iso});
    spec.serial_log = dir_ + "/guest.serial.log";
    if (Status s = Port(1).Define(spec); !s.ok()) return Fail(s.ToString());
    if (Status s = Port(1).Start(kName); !s.ok()) return Fail(s.ToString());
    std::fprintf(stderr, "booting the guest and filling its RAM...\n");
    auto ready = WaitForFileContaining(spec.serial_log, "TERN:READY", 600s);
    if (!ready.ok()) return Fail(ready.status().ToString());
    const std::string filled = "TERN:FILLED bytes=" + std::to_string((random_mib_ + text_mib_) * (1 << 20));
    if (ready->find(filled) == std::string::npos) return Fail("the guest did not fill its RAM: " + *ready);

    std::vector<Mode> modes = Modes();
    std::vector<Figures> figures;
    int at = 1;
    for (size_t k = 0; k < modes.size(); ++k) {
      Figures f;
      if (modes[k].relay) {
        std::fprintf(stderr, "measuring %s...\n", modes[k].title.c_str());
        f = Measure(modes[k], static_cast<int>(k), at);
        if (f.measured) at = f.to;
      }
      figures.push_back(f);
    }
    (void)Port(at).Destroy(kName);
    Print(modes, figures, zstd_mib);
    return 0;
  }

 private:
  static int Fail(const std::string& why) {
    std::fprintf(stderr, "migration_bench: %s\n", why.c_str());
    return 1;
  }
  virt::Hypervisor& Port(int i) { return *ports_[static_cast<size_t>(i - 1)]; }

  std::vector<Mode> Modes() const {
    auto socat = [](const SimHosts& h, int site, const std::string& lip, int lport, const std::string& tip,
                    int tport, const std::string& log) -> Result<std::unique_ptr<Relay>> {
      TERN_ASSIGN_OR_RETURN(auto r, SocatRelay::Tcp(h.GatewayCommand(site), lip, lport, tip, tport, log));
      return std::unique_ptr<Relay>(new SocatGatewayRelay(std::move(r)));
    };
    std::vector<Mode> modes;
    modes.push_back({"plain (socat)", 0, false, socat});
    modes.push_back({"multifd " + std::to_string(o_.channels) + " + zstd (socat)", o_.channels, true, socat});
    Mode tern{"tern (proxies)", 0, false, nullptr};
    if (!o_.tern_relay.empty()) {
      const std::string tmpl = o_.tern_relay;
      tern.relay = [tmpl](const SimHosts& h, int site, const std::string& lip, int lport,
                          const std::string& tip, int tport, const std::string& log) {
        std::string cmd = tmpl;
        for (auto [key, value] : {std::pair<std::string, std::string>{"{listen_ip}", lip},
                                  {"{listen_port}", std::to_string(lport)},
                                  {"{target_ip}", tip},
                                  {"{target_port}", std::to_string(tport)}}) {
          for (auto p = cmd.find(key); p != std::string::npos; p = cmd.find(key))
            cmd.replace(p, key.size(), value);
        }
        return CommandGatewayRelay::Start(h, site, cmd, lport, log);
      };
    }
    modes.push_back(tern);
    return modes;
  }

  Status MakeDisk(int i, bool with_data) {
    std::string cmd =
        std::string("mkdir -p /var/lib/libvirt/images && qemu-img create -q -f qcow2 ") + kDisk + " 64M";
    if (with_data)
      cmd += std::string(" && qemu-io -f qcow2 -c 'write -P 0x5a 0 4M' ") + kDisk + " >/dev/null";
    return hosts_->Exec(i, cmd).status();
  }

  // Relays gateway(from):entry_port -> gateway(to):underlay_port -> target_ip:target_port.
  Status Chain(const Mode& m, int k, int from, int to, int entry_port, int underlay_port,
               const std::string& target_ip, int target_port) {
    const std::string log = dir_ + "/relay-" + std::to_string(k) + "-" + std::to_string(entry_port);
    TERN_ASSIGN_OR_RETURN(auto entry, m.relay(*hosts_, from, hosts_->site(from).gateway_ip, entry_port,
                                              hosts_->site(to).underlay_ip, underlay_port, log + "-in.log"));
    relays_.push_back(std::move(entry));
    TERN_ASSIGN_OR_RETURN(auto exit, m.relay(*hosts_, to, hosts_->site(to).underlay_ip, underlay_port,
                                             target_ip, target_port, log + "-out.log"));
    relays_.push_back(std::move(exit));
    return Status::Ok();
  }

  Result<unsigned long long> Counter(int site, const std::string& which) {
    TERN_ASSIGN_OR_RETURN(auto v, hosts_->ExecInGateway(site, "cat /sys/class/net/ul0/statistics/" + which));
    return std::stoull(v);
  }

  Result<std::string> Qmp(int host, const std::string& json) {
    TERN_ASSIGN_OR_RETURN(auto out, RunCommand("virsh -c " + ShellQuote(hosts_->host(host).uri) +
                                               " qemu-monitor-command " + kName + " " + ShellQuote(json)));
    return out;
  }

  // The destination's XML with `-global migration.multifd-compression=zstd` on QEMU's command line: libvirt
  // 9.0 starts the destination QEMU and runs migrate-incoming inside its Prepare step, so there is no moment
  // to set the parameter over QMP there; the -global default is what libvirt then leaves alone (it does not
  // know the parameter).
  Result<std::string> ZstdDestinationXml(int from) {
    TERN_ASSIGN_OR_RETURN(auto xml, Port(from).MigratableDomainXml(kName));
    const auto open = xml.find("<domain ");
    const auto close = xml.rfind("</domain>");
    if (open == std::string::npos || close == std::string::npos)
      return Status::Internal("domain XML of " + std::string(kName) + " has no <domain> element");
    xml.insert(close,
               "  <qemu:commandline>\n    <qemu:arg value='-global'/>\n"
               "    <qemu:arg value='migration.multifd-compression=zstd'/>\n  </qemu:commandline>\n");
    xml.insert(open + 8, "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' ");
    return xml;
  }

  Figures Measure(const Mode& m, int k, int from) {
    Figures f;
    const int to = from == 1 ? 2 : 1;
    f.from = from;
    f.to = to;
    auto fail = [&](const std::string& why) {
      f.error = why;
      relays_.clear();
      return f;
    };
    if (Status s = MakeDisk(to, false); !s.ok()) return fail(s.ToString());
    // Fresh ports per mode: libvirt 9.0 keeps an explicit NBD port reserved after a migration.
    const int mem_port = 49300 + 10 * k, nbd_port = mem_port + 1;
    const std::string& dest_ip = hosts_->host(to).ip;
    Status relayed = Chain(m, k, from, to, kLibvirtdPort, 26509 + k, dest_ip, kLibvirtdPort);
    if (relayed.ok()) relayed = Chain(m, k, from, to, mem_port, mem_port, dest_ip, mem_port);
    if (relayed.ok()) relayed = Chain(m, k, from, to, nbd_port, nbd_port, dest_ip, nbd_port);
    if (!relayed.ok()) return fail(relayed.ToString());

    virt::MigrationOptions opts;
    const std::string gw = hosts_->site(from).gateway_ip;
    opts.dest_uri = "qemu+tcp://" + gw + ":" + std::to_string(kLibvirtdPort) + "/system";
    opts.migrate_uri = "tcp://" + gw + ":" + std::to_string(mem_port);
    opts.listen_address = dest_ip;
    opts.disks_port = nbd_port;
    opts.copy_storage_all = true;
    opts.parallel_connections = m.channels;
    if (m.zstd) {
      auto set =
          Qmp(from, R"({"execute":"migrate-set-parameters","arguments":{"multifd-compression":"zstd"}})");
      if (!set.ok()) return fail(set.status().ToString());
      auto xml = ZstdDestinationXml(from);
      if (!xml.ok()) return fail(xml.status().ToString());
      opts.dest_xml = *xml;
    }

    auto tx0 = Counter(from, "tx_bytes"), rx0 = Counter(from, "rx_bytes");
    if (!tx0.ok() || !rx0.ok()) return fail("cannot read gateway counters");
    f.load = Load();
    const auto t0 = std::chrono::steady_clock::now();
    auto result = Port(from).Migrate(kName, opts);
    f.call_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto tx1 = Counter(from, "tx_bytes"), rx1 = Counter(from, "rx_bytes");
    relays_.clear();
    if (!result.ok()) return fail(result.status().ToString());
    if (!tx1.ok() || !rx1.ok()) return fail("cannot read gateway counters");
    if (m.zstd) {
      // Both ends really used zstd (a mismatch would have failed the migration, but check the destination).
      auto p = Qmp(to, R"({"execute":"query-migrate-parameters"})");
      if (!p.ok() || p->find("\"multifd-compression\":\"zstd\"") == std::string::npos)
        return fail("the destination does not report multifd-compression zstd: " +
                    (p.ok() ? *p : p.status().ToString()));
    }
    f.measured = true;
    f.job_s = static_cast<double>(result->total_ms) / 1000;
    f.downtime_ms = static_cast<double>(result->downtime_ms);
    f.qemu_mib = static_cast<double>(result->bytes) / (1 << 20);
    f.wire_mib = static_cast<double>(*tx1 - *tx0) / (1 << 20);
    f.back_mib = static_cast<double>(*rx1 - *rx0) / (1 << 20);
    return f;
  }

  void Print(const std::vector<Mode>& modes, const std::vector<Figures>& figs, double zstd_mib) const {
    const double rate = BitsPerSecond(o_.rate);
    const double random_bound = random_mib_ * 1048576.0 * 8 / rate;
    const double zstd_bound = zstd_mib * 1048576.0 * 8 / rate;
    std::printf(
        "\nbench/migration: live migration with disk copy between two sites through relays in the gateways\n"
        "  link %s, %s one way; guest %d MiB RAM (%d MiB random + %d MiB text), 64 MiB disk (4 MiB data)\n"
        "  bound = incompressible bytes / link rate: %d MiB random -> %.2f s; whole fill data at zstd -1 "
        "(%.1f MiB) -> %.2f s\n\n",
        o_.rate.c_str(), o_.delay.c_str(), o_.memory_mib, random_mib_, text_mib_, random_mib_, random_bound,
        zstd_mib, zstd_bound);
    std::printf("%-30s", "");
    for (const auto& m : modes) std::printf(" | %-26s", m.title.c_str());
    std::printf("\n");
    auto row = [&](const char* label, const std::function<std::string(const Figures&)>& cell) {
      std::printf("%-30s", label);
      for (const auto& f : figs) {
        std::string c = f.measured ? cell(f) : (f.error.empty() ? "not yet measured" : "failed");
        std::printf(" | %-26s", c.c_str());
      }
      std::printf("\n");
    };
    auto fmt = [](const char* format, double v) {
      char b[64];
      std::snprintf(b, sizeof b, format, v);
      return std::string(b);
    };
    row("direction",
        [](const Figures& f) { return "h" + std::to_string(f.from) + " -> h" + std::to_string(f.to); });
    row("total (libvirt job)", [&](const Figures& f) { return fmt("%.2f s", f.job_s); });
    row("total (Migrate call)", [&](const Figures& f) { return fmt("%.2f s", f.call_s); });
    row("downtime", [&](const Figures& f) { return fmt("%.0f ms", f.downtime_ms); });
    row("on the wire, forward", [&](const Figures& f) { return fmt("%.1f MiB", f.wire_mib); });
    row("on the wire, back", [&](const Figures& f) { return fmt("%.1f MiB", f.back_mib); });
    row("QEMU processed (uncompressed)", [&](const Figures& f) { return fmt("%.1f MiB", f.qemu_mib); });
    row("wire bytes / link rate",
        [&](const Figures& f) { return fmt("%.2f s", f.wire_mib * 1048576.0 * 8 / rate); });
    row("job time / random bound", [&](const Figures& f) { return fmt("%.2f x", f.job_s / random_bound); });
    row("load average before", [](const Figures& f) { return f.load; });
    for (size_t k = 0; k < figs.size(); ++k)
      if (!figs[k].error.empty())
        std::printf("%s failed: %s\n", modes[k].title.c_str(), figs[k].error.c_str());
    if (o_.tern_relay.empty())
      std::printf("tern (proxies): not yet measured (give --tern-relay 'COMMAND' to run a relay per hop)\n");
    std::printf("machine load average at the end: %s (2 cores)\n", Load().c_str());
  }

  Options o_;
  std::string dir_;
  int random_mib_ = 0, text_mib_ = 0;
  std::unique_ptr<SimHosts> hosts_;
  std::vector<std::unique_ptr<virt::Hypervisor>> ports_;
  std::vector<std::unique_ptr<Relay>> relays_;
};

int Usage() {
  std::fprintf(stderr,
               "usage: migration_bench [--memory 256|1024] [--rate 100mbit] [--delay 10ms] [--channels 4]\n"
               "                       [--tern-relay 'COMMAND {listen_ip} {listen_port} {target_ip} "
               "{target_port}']\n");
  return 2;
}

}  // namespace
}  // namespace tern::testing

int main(int argc, char** argv) {
  tern::testing::Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return tern::testing::Usage();
    const std::string v = argv[++i];
    if (a == "--memory")
      o.memory_mib = std::atoi(v.c_str());
    else if (a == "--rate")
      o.rate = v;
    else if (a == "--delay")
      o.delay = v;
    else if (a == "--channels")
      o.channels = std::atoi(v.c_str());
    else if (a == "--tern-relay")
      o.tern_relay = v;
    else
      return tern::testing::Usage();
  }
  if (o.memory_mib < 128 || o.channels < 1) return tern::testing::Usage();
  return tern::testing::Bench(o).Run();
}
