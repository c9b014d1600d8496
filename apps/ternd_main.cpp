// ternd: the tern daemon of one host (host role). Usage: ternd --config FILE
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "daemon/daemon_config.h"
#include "daemon/ternd.h"

int main(int argc, char** argv) {
  CLI::App app{
      "ternd: the tern daemon of one KVM/libvirt host. It deploys VMs with layered context ISOs, follows\n"
      "their lifecycle events and serves tern's HTTP/JSON API (see docs/operator-guide.md)."};
  std::string config_path;
  std::string log_level = "info";
  app.add_option("-c,--config", config_path, "ternd configuration file (YAML)")->required();
  app.add_option("--log-level", log_level, "trace | debug | info | warn | error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ ternd: %v");

  auto config = tern::daemon::ParseDaemonConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << "ternd: " << config.status().message() << '\n';
    return 2;
  }
  // Block the signals before any thread starts, so that only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto ternd = tern::daemon::Ternd::Start(*config);
  if (!ternd.ok()) {
    std::cerr << "ternd: cannot start: " << ternd.status().ToString() << '\n';
    return 1;
  }
  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    auto reloaded = tern::daemon::ParseDaemonConfigFile(config_path);
    if (!reloaded.ok()) {
      spdlog::error("SIGHUP: keeping the running configuration: {}", reloaded.status().message());
      continue;
    }
    if (auto s = (*ternd)->Reload(*reloaded); !s.ok()) spdlog::error("SIGHUP: {}", s.ToString());
  }
  spdlog::info("signal {}: stopping", sig);
  (*ternd)->Stop();
  return 0;
}
