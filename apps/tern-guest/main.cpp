// tern-guest: the guest agent (layered context file system, media watcher, hooks) and its CLI.
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "core/files.h"
#include "guest/control.h"
#include "guest/log.h"
#include "guest/media_agent.h"
#include "guest/service.h"

namespace {

using tern::guest::LogError;

void RaiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// Blocks SIGINT/SIGTERM in every thread (call before starting any) and waits for one of them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStop(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  tern::guest::LogInfo(std::string("stopping on signal ") + std::to_string(sig));
  return 0;
}

int Fail(const tern::Status& s) {
  std::cerr << "tern-guest: " << s.ToString() << "\n";
  return 1;
}

int PrintStatus(const std::string& socket) {
  auto r = tern::guest::ControlRequest(socket, {{"op", "status"}});
  if (!r.ok()) return Fail(r.status());
  const auto& j = *r;
  std::printf("mount: %s\nepoch: %llu  changes: %llu  nodes: %llu\n", j.value("mount", "").c_str(),
              static_cast<unsigned long long>(j.value("epoch", uint64_t{0})),
              static_cast<unsigned long long>(j.value("changes", uint64_t{0})),
              static_cast<unsigned long long>(j.value("nodes", uint64_t{0})));
  std::printf("%-20s %9s %11s %8s  %s\n", "LAYER", "PRIORITY", "GENERATION", "ENTRIES", "DIR");
  for (const auto& l : j["layers"]) {
    std::printf("%-20s %9d %11llu %8llu  %s\n", l.value("name", "").c_str(), l.value("priority", 0),
                static_cast<unsigned long long>(l.value("generation", uint64_t{0})),
                static_cast<unsigned long long>(l.value("entries", uint64_t{0})), l.value("dir", "").c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tern-guest: layered context file system and guest agent"};
  app.require_subcommand(1);
  std::string socket = tern::guest::kDefaultControlSocket;
  app.add_option("--socket", socket, "control socket of the running union")->capture_default_str();

  tern::guest::ServiceOptions opts;
  std::vector<std::string> layer_args;
  auto* mount = app.add_subcommand("mount", "serve a layered view of plain directories at MOUNTPOINT");
  mount->add_option("mountpoint", opts.mountpoint, "where to mount")->required();
  mount->add_option("--layer", layer_args, "DIR:PRIORITY (repeatable; name = last path component)");
  mount->add_option("--hooks", opts.hook_dirs, "directory of hooks to run after each change (repeatable)");
  mount->add_option("--layer-hooks", opts.layer_hooks_class,
                    "also run the executables under hooks/ of the layer of this name");
  std::string mount_layer_hooks_dir;
  mount->add_option("--layer-hooks-dir", mount_layer_hooks_dir,
                    "where those are copied to (default /run/tern/hooks/NAME)");

  tern::guest::MediaAgentOptions watch;
  int poll_ms = 200;
  int grace_ms = 1000;
  bool markers = false;
  auto* agent =
      app.add_subcommand("agent", "the in-guest agent: union of the CD-ROM layers, media watcher, hooks");
  std::string agent_mount = "/run/tern/context";
  std::vector<std::string> agent_hooks = {"/etc/tern/hooks"};
  std::string agent_layer_hooks = "service";
  agent->add_option("--mountpoint", agent_mount)->capture_default_str();
  agent->add_option("--hooks", agent_hooks, "hook directory (repeatable)")->capture_default_str();
  agent
      ->add_option("--layer-hooks", agent_layer_hooks,
                   "run the executables under hooks/ of this class's layer too (\"\" = none)")
      ->capture_default_str();
  agent->add_option("--layers-dir", watch.layers_dir)->capture_default_str();
  agent->add_option("--poll-ms", poll_ms)->capture_default_str()->check(CLI::Range(10, 60000));
  agent->add_option("--eject-grace-ms", grace_ms)->capture_default_str()->check(CLI::Range(0, 600000));
  agent->add_flag("--log-markers", markers, "log as single-line TERN:FFS markers (the test guest's console)");

  auto* status = app.add_subcommand("status", "show the running union's mount and layers");
  (void)status;

  auto* layer = app.add_subcommand("layer", "change the layers of a running union");
  layer->require_subcommand(1);
  std::string spec_arg;
  std::string name;
  uint64_t generation = 0;
  auto* add = layer->add_subcommand("add", "add DIR:PRIORITY");
  auto* replace = layer->add_subcommand("replace", "replace layer NAME by DIR:PRIORITY");
  for (auto* sub : {add, replace}) {
    sub->add_option("layer", spec_arg, "DIR:PRIORITY")->required();
    sub->add_option("--name", name, "layer name (default: the directory's last component)");
    sub->add_option("--generation", generation, "generation to record");
  }
  auto* remove = layer->add_subcommand("remove", "remove layer NAME");
  remove->add_option("name", name)->required();

  CLI11_PARSE(app, argc, argv);

  if (*status) return PrintStatus(socket);
  if (*layer) {
    nlohmann::json req;
    if (*remove) {
      req = {{"op", "remove"}, {"name", name}};
    } else {
      auto spec = tern::guest::ParseLayerArgument(spec_arg);
      if (!spec.ok()) return Fail(spec.status());
      req = {{"op", *add ? "add" : "replace"},
             {"name", name.empty() ? spec->name : name},
             {"dir", spec->dir},
             {"priority", spec->priority},
             {"generation", generation}};
    }
    auto r = tern::guest::ControlRequest(socket, req);
    if (!r.ok()) return Fail(r.status());
    std::printf("%zu path(s) changed\n", (*r)["changed_paths"].size());
    return 0;
  }

  RaiseFileLimit();
  const sigset_t stop = BlockStopSignals();
  if (*mount) {
    opts.control_socket = socket;
    opts.layer_hooks_dir =
        mount_layer_hooks_dir.empty() ? "/run/tern/hooks/" + opts.layer_hooks_class : mount_layer_hooks_dir;
    for (const auto& a : layer_args) {
      auto spec = tern::guest::ParseLayerArgument(a);
      if (!spec.ok()) return Fail(spec.status());
      opts.initial_layers.push_back(*spec);
    }
    auto svc = tern::guest::GuestService::Start(opts);
    if (!svc.ok()) return Fail(svc.status());
    return WaitForStop(stop);
  }
  // agent
  tern::guest::SetLogMarkers(markers);
  opts.mountpoint = agent_mount;
  opts.hook_dirs = agent_hooks;
  opts.layer_hooks_class = agent_layer_hooks;
  opts.layer_hooks_dir = "/run/tern/hooks/" + agent_layer_hooks;
  opts.control_socket = socket;
  (void)tern::MakeDirs("/run/tern");
  auto svc = tern::guest::GuestService::Start(opts);
  if (!svc.ok()) {
    LogError(svc.status().ToString());
    return 1;
  }
  watch.poll = std::chrono::milliseconds(poll_ms);
  watch.watcher.eject_grace = std::chrono::milliseconds(grace_ms);
  tern::guest::MediaAgent watcher(**svc, watch);
  return WaitForStop(stop);
}
