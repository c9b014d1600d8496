// tern-switch: the per-host daemon of tern's distributed virtual layer-2 switch (docs/vswitch.md).
//   tern-switch run --network NAME --key-file FILE --listen ADDR:PORT [--join ADDR:PORT] [--tap DEV]
//                   [--udp-port LOCAL:REMOTE] [--ports-file FILE]
//   tern-switch genkey FILE
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>

#include "core/files.h"
#include "net/encapsulation.h"
#include "net/switch_daemon.h"

namespace {

using tern::Result;
using tern::Status;
using tern::net::Endpoint;

Result<tern::net::VmPortSpec> ParseVmPort(const std::string& text, const std::string& address) {
  const auto colon = text.find(':');
  unsigned local = 0;
  unsigned remote = 0;
  auto parse = [](std::string_view s, unsigned& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && v > 0 && v < 65536;
  };
  if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), local) ||
      !parse(std::string_view(text).substr(colon + 1), remote)) {
    return Status::InvalidArgument("--udp-port '" + text + "': expected LOCAL:REMOTE (two UDP ports)");
  }
  TERN_ASSIGN_OR_RETURN(Endpoint l, Endpoint::Parse(address + ":" + std::to_string(local)));
  TERN_ASSIGN_OR_RETURN(Endpoint r, Endpoint::Parse(address + ":" + std::to_string(remote)));
  return tern::net::VmPortSpec{l, r, ""};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tern-switch: distributed virtual layer-2 switch daemon"};
  app.require_subcommand(1);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ tern-switch: %v");

  auto* run = app.add_subcommand("run", "run the daemon for one network (without ternd)");
  std::string network, key_file, listen, status_file, ports_file, udp_address = "127.0.0.1";
  std::vector<std::string> joins, taps, udp_ports;
  bool encrypt = false, no_offload = false;
  int underlay_mtu = 1500, mtu = 0, heartbeat_ms = 1000, suspect_ms = 0, dead_ms = 0, mac_age_s = 300;
  run->add_option("--network", network, "network name (derives the network id and key)")->required();
  run->add_option("--key-file", key_file, "file with the network secret (32 raw bytes or 64 hex digits)")
      ->required();
  run->add_option("--listen", listen, "ADDR:PORT of this daemon's peer socket (port 0: any)")->required();
  run->add_option("--join", joins, "ADDR:PORT of any member to join through (repeatable)");
  run->add_option("--tap", taps, "TAP device for a host-side endpoint (created if missing; repeatable)");
  run->add_option(
      "--udp-port", udp_ports,
      "LOCAL:REMOTE VM port: libvirt <interface type='udp'> with source port LOCAL and local port "
      "REMOTE (repeatable)");
  run->add_option("--udp-address", udp_address, "address of VM ports (default 127.0.0.1)");
  run->add_option("--ports-file", ports_file,
                  "file of VM ports, one LOCAL:REMOTE [LABEL] per line, re-read on SIGHUP (ternd writes it)");
  run->add_flag("--encrypt", encrypt, "encrypt frames too; default: authenticate only");
  std::string cipher = "auto";
  run->add_option("--cipher", cipher, "auto (AES-256-GCM when the CPU has AES-NI) | aes-gcm | xchacha")
      ->check(CLI::IsMember({"auto", "aes-gcm", "xchacha"}));
  run->add_flag("--no-offload", no_offload, "open TAPs without the virtio-net header and offloads");
  run->add_option("--underlay-mtu", underlay_mtu, "MTU of the underlay path (default 1500)");
  run->add_option("--mtu", mtu, "MTU of the virtual network (default: underlay MTU - 86)");
  run->add_option("--heartbeat-ms", heartbeat_ms, "heartbeat interval (default 1000)");
  run->add_option("--suspect-ms", suspect_ms, "silence before a peer is suspect (default 3 heartbeats)");
  run->add_option("--dead-after-ms", dead_ms, "silence before a peer is removed (default 6 heartbeats)");
  run->add_option("--mac-age-s", mac_age_s, "MAC table aging (default 300)");
  run->add_option("--status-file", status_file,
                  "write JSON status (members, MAC table, counters) every second");

  auto* genkey = app.add_subcommand("genkey", "write a new random network key (64 hex digits)");
  std::string key_out;
  genkey->add_option("FILE", key_out)->required();

  CLI11_PARSE(app, argc, argv);

  if (sodium_init() < 0) {
    std::fprintf(stderr, "tern-switch: libsodium initialization failed\n");
    return 1;
  }
  if (*genkey) {
    uint8_t key[32];
    randombytes_buf(key, sizeof key);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    const Status s = tern::WriteFileAtomic(key_out, std::string(hex) + "\n");
    if (!s.ok()) {
      std::fprintf(stderr, "tern-switch: genkey: %s\n", s.ToString().c_str());
      return 1;
    }
    return 0;
  }

  tern::net::DaemonOptions o;
  o.network = network;
  o.key_file = key_file;
  o.encrypt = encrypt;
  o.cipher = cipher == "aes-gcm"   ? tern::net::Cipher::kAes256Gcm
             : cipher == "xchacha" ? tern::net::Cipher::kXChaCha20Poly1305
                                   : tern::net::Cipher::kAuto;
  o.offloads = !no_offload;
  o.taps = taps;
  o.underlay_mtu = underlay_mtu;
  o.mtu = mtu;
  o.status_file = status_file;
  o.ports_file = ports_file;
  o.udp_address = udp_address;
  o.mac_max_age = static_cast<tern::net::TimeNs>(mac_age_s) * tern::net::kNsPerSec;
  const auto hb = static_cast<tern::net::TimeNs>(heartbeat_ms) * tern::net::kNsPerMs;
  o.membership.heartbeat_interval = hb;
  o.membership.suspect_after = suspect_ms > 0 ? suspect_ms * tern::net::kNsPerMs : 3 * hb;
  o.membership.dead_after = dead_ms > 0 ? dead_ms * tern::net::kNsPerMs : 6 * hb;
  o.membership.tombstone_for = 3 * o.membership.dead_after;
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "tern-switch: %s\n", s.ToString().c_str());
    return 1;
  };
  auto l = Endpoint::Parse(listen);
  if (!l.ok()) return fail(l.status().WithContext("--listen"));
  o.listen = *l;
  for (const auto& j : joins) {
    auto e = Endpoint::Parse(j);
    if (!e.ok()) return fail(e.status().WithContext("--join"));
    o.join.push_back(*e);
  }
  for (const auto& u : udp_ports) {
    auto v = ParseVmPort(u, udp_address);
    if (!v.ok()) return fail(v.status());
    o.vm_ports.push_back(*v);
  }
  auto daemon = tern::net::SwitchDaemon::Create(o);
  if (!daemon.ok()) return fail(daemon.status());
  const Status s = (*daemon)->Run();
  if (!s.ok()) return fail(s);
  return 0;
}
