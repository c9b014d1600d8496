// tern: the operator's CLI over a ternd's HTTP API, plus offline context tools.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api_client.h"
#include "api/net_client.h"
#include "api/net_text_format.h"
#include "api/text_format.h"
#include "context/iso_builder.h"
#include "context/manifest.h"
#include "core/files.h"
#include "daemon/daemon_config.h"

namespace {

int Fail(const tern::Status& s) {
  std::cerr << "tern: " << s.message() << '\n';
  return 1;
}

std::unique_ptr<tern::api::ApiClient> ClientOrExit(const std::string& server) {
  auto c = tern::api::ApiClient::Create(server);
  if (!c.ok()) std::exit(Fail(c.status()));
  return std::move(c).value();
}

// `tern context build`: renders one class of a manifest (or the infrastructure class of a host config) into
// an ISO file without any daemon.
int BuildContext(const std::string& manifest_path, const std::string& class_name, const std::string& out,
                 const std::string& host_config, uint64_t generation) {
  auto m = tern::context::ParseManifestFile(manifest_path);
  if (!m.ok()) return Fail(m.status());
  tern::context::ContextClass cls;
  tern::context::LayerMetadata meta;
  tern::context::IsoOptions opts;
  if (class_name == "infrastructure") {
    if (host_config.empty()) {
      return Fail(
          tern::Status::InvalidArgument("--class infrastructure needs --host-config FILE (the "
                                        "infrastructure class comes from the host)"));
    }
    auto c = tern::daemon::ParseDaemonConfigFile(host_config);
    if (!c.ok()) return Fail(c.status());
    cls = c->infrastructure;
    meta.origin = "host:" + c->host_name;
  } else {
    bool found = false;
    for (const auto& k : m->classes) {
      if (k.name == class_name) {
        cls = k;
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const auto& k : m->classes) known += (known.empty() ? "" : ", ") + k.name;
      return Fail(tern::Status::NotFound(manifest_path + ": no context class '" + class_name +
                                         "' (classes: " + known + ", infrastructure with --host-config)"));
    }
    meta.origin = "manifest:" + m->source;
    if (class_name == "service") {
      opts.cloud_init_seed = true;
      opts.instance_id = "tern-" + m->vm.name;
      opts.hostname = m->vm.name;
      opts.cloud_init = m->cloud_init;
    }
  }
  meta.class_name = cls.name;
  meta.priority = cls.priority;
  meta.generation = generation;
  if (auto s = tern::context::WriteLayerIso(cls, meta, opts, out); !s.ok()) return Fail(s);
  std::cout << "wrote " << out << " (class " << cls.name << ", priority " << cls.priority << ", generation "
            << generation << ", label " << tern::context::LayerVolumeLabel(cls.name, opts.cloud_init_seed)
            << ")\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tern: control plane for federated KVM/libvirt clouds.\nTalks to a ternd's HTTP API (--server, or "
      "$TERN_SERVER, default http://127.0.0.1:7480)."};
  app.require_subcommand(1);
  std::string server =
      std::getenv("TERN_SERVER") != nullptr ? std::getenv("TERN_SERVER") : "http://127.0.0.1:7480";
  app.add_option("-s,--server", server, "ternd API base URL (default $TERN_SERVER or http://127.0.0.1:7480)");

  auto* vm = app.add_subcommand("vm", "deploy, inspect and remove VMs");
  vm->require_subcommand(1);
  std::string manifest;
  auto* deploy =
      vm->add_subcommand("deploy", "deploy a VM from a manifest (VM descriptor + context classes)");
  deploy->add_option("manifest", manifest, "manifest file (YAML, see docs/manifest.md)")->required();
  vm->add_subcommand("list", "list the VMs of the host");
  std::string name;
  auto* show =
      vm->add_subcommand("show", "show a VM: state, host, and each context layer with its generation");
  show->add_option("name", name, "VM name")->required();
  auto* destroy = vm->add_subcommand("destroy", "stop and remove a VM, its context images and its records");
  destroy->add_option("name", name, "VM name")->required();
  int limit = 50;
  auto* events = vm->add_subcommand("events", "list a VM's recorded events (lifecycle, deploy)");
  events->add_option("name", name, "VM name")->required();
  events->add_option("--limit", limit, "how many of the newest events (1..10000)")
      ->check(CLI::Range(1, 10000));

  std::string class_name_rc = "infrastructure";
  auto* recontext = vm->add_subcommand("recontext",
                                       "rebuild one context class of a running VM as the next "
                                       "generation and swap it in (default: infrastructure)");
  recontext->add_option("name", name, "VM name")->required();
  recontext->add_option("--class", class_name_rc,
                        "context class to rebuild (infrastructure, or a manifest class)");
  std::string to_host;
  auto* migrate = vm->add_subcommand("migrate",
                                     "live-migrate a VM to another host of the site (disks are copied); "
                                     "prints progress, then total time, downtime and bytes");
  migrate->add_option("name", name, "VM name")->required();
  migrate->add_option("--to", to_host, "destination host (one of the peers in ternd's config)")->required();

  auto* net = app.add_subcommand("net", "tern networks: virtual layer-2 networks across the site's hosts");
  net->require_subcommand(1);
  std::string net_name;
  bool net_encrypt = false;
  auto* net_create = net->add_subcommand(
      "create", "create a network on every host of the site (a tern-switch daemon per host, a new key)");
  net_create->add_option("name", net_name, "network name (1 to 32 letters, digits, '.', '_', '-')")
      ->required();
  net_create->add_flag("--encrypt", net_encrypt, "encrypt frames (default: authenticate only)");
  net->add_subcommand("list", "list the networks and their switch on this host");
  auto* net_show = net->add_subcommand(
      "show", "show a network: this host's switch, the members of the mesh, VM ports, counters");
  net_show->add_option("name", net_name, "network name")->required();
  std::string attach_vm;
  std::string attach_mac;
  bool attach_restart = false;
  auto* net_attach = net->add_subcommand(
      "attach", "give a VM of this host a NIC on the network (libvirt cannot hot-plug it: see --restart)");
  net_attach->add_option("name", net_name, "network name")->required();
  net_attach->add_option("vm", attach_vm, "VM name")->required();
  net_attach->add_option("--mac", attach_mac, "the NIC's MAC (default: a random 52:54:00:xx:xx:xx)");
  net_attach->add_flag("--restart", attach_restart,
                       "restart a running VM so that the NIC appears (its guest reboots)");
  auto* net_delete =
      net->add_subcommand("delete", "delete a network from every host of the site (no VM may be attached)");
  net_delete->add_option("name", net_name, "network name")->required();

  auto* host = app.add_subcommand("host", "the host behind the API");
  host->require_subcommand(1);
  host->add_subcommand("show", "show the host: name, hostname, libvirt URI, domain type and why");

  auto* ctx = app.add_subcommand("context", "offline context tools");
  ctx->require_subcommand(1);
  auto* build = ctx->add_subcommand("build", "build one context class of a manifest into an ISO image");
  std::string class_name;
  std::string out;
  std::string host_config;
  uint64_t generation = 1;
  build->add_option("manifest", manifest, "manifest file (YAML)")->required();
  build->add_option("--class", class_name, "context class to build (e.g. service)")->required();
  build->add_option("--out", out, "ISO file to write")->required();
  build->add_option("--host-config", host_config, "ternd config whose infrastructure class to build");
  build->add_option("--generation", generation, "generation recorded in the layer metadata (default 1)");

  CLI11_PARSE(app, argc, argv);

  if (ctx->parsed()) return BuildContext(manifest, class_name, out, host_config, generation);
  auto client = ClientOrExit(server);
  if (deploy->parsed()) {
    // Validate locally first: errors name the local file, and nothing is sent for a bad manifest.
    auto parsed = tern::context::ParseManifestFile(manifest);
    if (!parsed.ok()) return Fail(parsed.status());
    auto text = tern::ReadFile(manifest);
    if (!text.ok()) return Fail(text.status());
    const auto abs = std::filesystem::absolute(manifest).lexically_normal();
    auto v = client->Deploy({*text, abs.string(), abs.parent_path().string()});
    if (!v.ok()) return Fail(v.status());
    std::cout << "deployed " << v->name << " on " << v->host << "\n" << tern::api::FormatVmDetail(*v);
    return 0;
  }
  if (vm->got_subcommand("list")) {
    auto v = client->List();
    if (!v.ok()) return Fail(v.status());
    std::cout << tern::api::FormatVmTable(*v);
    return 0;
  }
  if (show->parsed()) {
    auto v = client->Show(name);
    if (!v.ok()) return Fail(v.status());
    std::cout << tern::api::FormatVmDetail(*v);
    return 0;
  }
  if (destroy->parsed()) {
    if (auto s = client->Destroy(name); !s.ok()) return Fail(s);
    std::cout << "destroyed " << name << '\n';
    return 0;
  }
  if (events->parsed()) {
    auto e = client->Events(name, limit);
    if (!e.ok()) return Fail(e.status());
    std::cout << tern::api::FormatEvents(*e);
    return 0;
  }
  if (recontext->parsed()) {
    auto r = client->Recontext(name, class_name_rc);
    if (!r.ok()) return Fail(r.status());
    std::cout << "recontextualized " << name << ": " << r->summary << '\n';
    return 0;
  }
  if (migrate->parsed()) {
    auto m = client->Migrate(name, to_host);
    if (!m.ok()) return Fail(m.status());
    std::cout << "migrating " << name << " from " << m->from << " to " << m->to << " (migration " << m->id
              << ")\n";
    std::string last;
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto now = client->GetMigration(m->id);
      if (!now.ok()) return Fail(now.status());
      std::string line = "  " + now->state;
      if (now->data_total > 0) {
        line += ": " + std::to_string(now->data_processed >> 20) + " of " +
                std::to_string(now->data_total >> 20) + " MiB, " + std::to_string(now->data_remaining >> 20) +
                " MiB remaining, " + std::to_string(now->elapsed_ms) + " ms";
      }
      if (line != last) std::cout << line << '\n' << std::flush;
      last = line;
      if (now->state == "succeeded") {
        std::cout << "migrated " << name << " to " << now->to << ": total " << now->total_ms
                  << " ms, downtime " << now->downtime_ms << " ms, " << now->bytes << " bytes\n";
        return 0;
      }
      if (now->state == "failed")
        return Fail(tern::Status::Internal("migration of " + name + " failed: " + now->error));
    }
  }
  if (net->parsed()) {
    tern::api::NetClient nets(*client);
    if (net_create->parsed()) {
      auto v = nets.Create({net_name, net_encrypt});
      if (!v.ok()) return Fail(v.status());
      std::cout << "created network " << v->name << " (switch port " << v->port << ", "
                << (v->encrypt ? "encrypted" : "authenticated") << ")\n"
                << tern::api::FormatNetworkDetail(*v);
      return 0;
    }
    if (net->got_subcommand("list")) {
      auto v = nets.List();
      if (!v.ok()) return Fail(v.status());
      std::cout << tern::api::FormatNetworkTable(*v);
      return 0;
    }
    if (net_show->parsed()) {
      auto v = nets.Show(net_name);
      if (!v.ok()) return Fail(v.status());
      std::cout << tern::api::FormatNetworkDetail(*v);
      return 0;
    }
    if (net_attach->parsed()) {
      auto v = nets.Attach(net_name, {attach_vm, attach_mac, attach_restart});
      if (!v.ok()) return Fail(v.status());
      std::cout << tern::api::FormatNetworkAttach(*v);
      return 0;
    }
    if (net_delete->parsed()) {
      if (auto s = nets.Delete(net_name); !s.ok()) return Fail(s);
      std::cout << "deleted network " << net_name << '\n';
      return 0;
    }
  }
  if (host->got_subcommand("show")) {
    auto h = client->Host();
    if (!h.ok()) return Fail(h.status());
    std::cout << tern::api::FormatHost(*h);
    return 0;
  }
  return 0;
}
