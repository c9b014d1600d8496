// tern-proxy: a site's transfer proxy run standalone (ternd runs the same proxy in-process), and its client
// commands. See docs/protocol.md and docs/operator-guide.md, "Transfer proxy".
//   tern-proxy key --key FILE
//   tern-proxy run --site NAME --key FILE --trust FILE [--listen IP:PORT] [--control PATH] [--no-compress]
//   tern-proxy issue --control PATH --vm ID --direction source|destination --peer SITE
//                    (--connect IP:PORT | --receive-file PATH | --send-file PATH) [--ttl-ms N] [--connections
//                    N]
//   tern-proxy forward --control PATH --listen IP:PORT --remote IP:PORT --site SITE --token TOKEN
//   tern-proxy status --control PATH (--token TOKEN | --counters)
//   tern-proxy send-file|fetch-file --site NAME --key FILE --trust FILE --remote IP:PORT --remote-site SITE
//                    --token TOKEN [--no-compress] [--link-timeout-ms N] FILE
#include <signal.h>
#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "federation/site_key.h"
#include "federation/trust_store.h"
#include "transfer/control_protocol.h"
#include "transfer/control_socket.h"
#include "transfer/file_transfer.h"
#include "transfer/transfer_proxy.h"

namespace {

using nlohmann::json;
using tern::Result;
using tern::Status;
using tern::net::Endpoint;
namespace federation = tern::federation;
namespace transfer = tern::transfer;

int Fail(const Status& s) {
  std::fprintf(stderr, "tern-proxy: %s\n", s.ToString().c_str());
  return 1;
}

// Prints a control response: the named field, or the whole object; exit 1 with the error when not ok.
int PrintResponse(const Result<json>& r, const char* field) {
  if (!r.ok()) return Fail(r.status());
  if (!(*r).value("ok", false))
    return Fail(Status::FailedPrecondition((*r).value("error", "request failed")));
  if (field != nullptr) {
    std::printf("%s\n", (*r)[field].get<std::string>().c_str());
  } else {
    std::printf("%s\n", r->dump().c_str());
  }
  return 0;
}

struct SiteOptions {
  std::string site, key_file, trust_file;
  void Add(CLI::App* cmd) {
    cmd->add_option("--site", site, "this site's name")->required();
    cmd->add_option("--key", key_file, "this site's Ed25519 key file (created on first use, mode 0600)")
        ->required();
    cmd->add_option("--trust", trust_file, "the site's trust store (JSON, as ternd writes it)")->required();
  }
  Result<transfer::LocalSite> Local() const {
    auto key = federation::SiteKey::LoadOrCreate(key_file);
    if (!key.ok()) return key.status();
    return transfer::LocalSite{site, std::make_shared<const federation::SiteKey>(std::move(*key))};
  }
  Result<federation::TrustStore> Trust() const { return federation::TrustStore::Open(trust_file, site); }
};

int Run(const SiteOptions& site, const std::string& listen, const std::string& control, bool no_compress,
        int link_timeout_ms, int batch_kib) {
  // Every thread inherits this mask; the main thread then waits for the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto local = site.Local();
  if (!local.ok()) return Fail(local.status());
  auto trust = site.Trust();
  if (!trust.ok()) return Fail(trust.status());
  transfer::ProxyConfig config;
  config.self = *local;
  config.trust = std::make_shared<const federation::TrustStore>(std::move(*trust));
  config.tokens = std::make_shared<transfer::TokenRegistry>();
  config.relay.compress = !no_compress;
  config.relay.max_batch = static_cast<size_t>(batch_kib) * 1024;
  config.link_timeout = std::chrono::milliseconds(link_timeout_ms);
  if (!listen.empty()) {
    auto ep = Endpoint::Parse(listen);
    if (!ep.ok()) return Fail(ep.status().WithContext("--listen"));
    config.listen = *ep;
  }
  auto proxy = transfer::TransferProxy::Start(config);
  if (!proxy.ok()) return Fail(proxy.status());
  std::unique_ptr<transfer::ControlServer> control_server;
  if (!control.empty()) {
    auto tokens = config.tokens;
    transfer::TransferProxy* p = proxy->get();
    auto server = transfer::ControlServer::Start(control, [p, tokens](const std::string& line) {
      auto request = transfer::ParseControlRequest(line);
      if (!request.ok()) return json{{"ok", false}, {"error", request.status().message()}};
      return transfer::HandleControlRequest(*request, *p, *tokens);
    });
    if (!server.ok()) return Fail(server.status());
    control_server = std::move(*server);
  }
  spdlog::info(
      "site '{}' (public key {}) ready{}{}", config.self.name, config.self.key->PublicKeyBase64(),
      (*proxy)->channel_endpoint() ? "; channels on " + (*proxy)->channel_endpoint()->ToString() : "",
      control.empty() ? "" : "; control socket " + control);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  if (control_server) control_server->Stop();
  (*proxy)->Stop();
  return 0;
}

int Transfer(const SiteOptions& site, const std::string& remote, const std::string& remote_site,
             const std::string& token, const std::string& file, bool send, bool no_compress,
             int link_timeout_ms) {
  auto local = site.Local();
  if (!local.ok()) return Fail(local.status());
  auto trust = site.Trust();
  if (!trust.ok()) return Fail(trust.status());
  auto ep = Endpoint::Parse(remote);
  if (!ep.ok()) return Fail(ep.status().WithContext("--remote"));
  transfer::AcceptedChannel accepted;
  transfer::DialOptions options;
  options.link_timeout = std::chrono::milliseconds(link_timeout_ms);
  auto channel = transfer::DialProxy(*local, *trust, *ep, remote_site, token, options, &accepted);
  if (!channel.ok()) return Fail(channel.status());
  const auto expected = send ? transfer::GrantKind::kReceiveFile : transfer::GrantKind::kSendFile;
  if (accepted.kind != expected) {
    return Fail(Status::InvalidArgument(std::string("the token grants '") +
                                        std::string(transfer::GrantKindName(accepted.kind)) + "', not '" +
                                        std::string(transfer::GrantKindName(expected)) + "'"));
  }
  auto result =
      send ? transfer::SendFile(**channel, file, !no_compress) : transfer::ReceiveFile(**channel, file);
  if (!result.ok()) return Fail(result.status());
  std::printf("%s\n", json{{"size", result->size},
                           {"data_bytes", result->data_bytes},
                           {"wire_bytes", result->wire_bytes},
                           {"batches",
                            {{"raw", result->stats.batches_by_codec[0]},
                             {"zero", result->stats.batches_by_codec[1]},
                             {"lz4", result->stats.batches_by_codec[2]},
                             {"zstd", result->stats.batches_by_codec[3]}}},
                           {"link_mbit_s", result->link_bytes_per_second * 8 / 1e6},
                           {"message", result->message}}
                          .dump()
                          .c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tern-proxy: a site's transfer proxy (signed, encrypted, compressed transfers between sites)"};
  app.require_subcommand(1);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ tern-proxy: %v");
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug shows each batch's codec and the link estimate

  auto* key = app.add_subcommand("key", "create the site key if missing and print its public part (base64)");
  std::string key_file;
  key->add_option("--key", key_file, "key file")->required();

  auto* run = app.add_subcommand("run", "run the proxy");
  SiteOptions run_site;
  run_site.Add(run);
  std::string listen, control;
  bool no_compress = false;
  int link_timeout_ms = 30000;
  int batch_kib = 1024;
  run->add_option("--listen", listen, "IP:PORT where partner proxies connect (exactly this address)");
  run->add_option("--control", control, "unix socket for issue/forward/status (mode 0600)");
  run->add_flag("--no-compress", no_compress, "send batches raw (zero batches still as lengths)");
  run->add_option("--link-timeout-ms", link_timeout_ms,
                  "fail a channel whose link is dead this long (default 30000)")
      ->check(CLI::Range(1000, 3600000));
  run->add_option("--batch-kib", batch_kib, "largest batch (default 1024)")->check(CLI::Range(4, 4096));

  auto* issue = app.add_subcommand("issue", "issue a transfer token (prints it)");
  std::string issue_control, vm, direction, peer, connect, receive_file, send_file;
  int ttl_ms = 60000;
  int connections = 1;
  issue->add_option("--control", issue_control, "the proxy's control socket")->required();
  issue->add_option("--vm", vm, "VM id the transfer belongs to")->required();
  issue->add_option("--direction", direction, "this site's role: source or destination")
      ->required()
      ->check(CLI::IsMember({"source", "destination"}));
  issue->add_option("--peer", peer, "the only site that may use the token")->required();
  auto* target_group = issue->add_option_group("target", "what the token reaches");
  target_group->add_option("--connect", connect, "relay to IP:PORT inside this site");
  target_group->add_option("--receive-file", receive_file, "receive a file into PATH");
  target_group->add_option("--send-file", send_file, "let the peer fetch the file at PATH");
  target_group->require_option(1);
  issue->add_option("--ttl-ms", ttl_ms, "lifetime (default 60000)");
  issue->add_option("--connections", connections, "channels the token may open (default 1)");

  auto* forward = app.add_subcommand("forward", "relay connections on a local address to a partner proxy");
  std::string fwd_control, fwd_listen, fwd_remote, fwd_site, fwd_token;
  forward->add_option("--control", fwd_control, "the proxy's control socket")->required();
  forward->add_option("--listen", fwd_listen, "local IP:PORT to accept connections on")->required();
  forward->add_option("--remote", fwd_remote, "IP:PORT of the partner's proxy")->required();
  forward->add_option("--site", fwd_site, "the partner site")->required();
  forward->add_option("--token", fwd_token, "token the partner issued")->required();

  auto* status = app.add_subcommand("status", "a transfer's outcome (by token) or the proxy's counters");
  std::string status_control, status_token;
  bool counters = false;
  status->add_option("--control", status_control, "the proxy's control socket")->required();
  status->add_option("--token", status_token, "token of the transfer");
  status->add_flag("--counters", counters, "the proxy's counters");

  SiteOptions send_site, fetch_site;
  std::string remote, remote_site, token, file;
  auto* send = app.add_subcommand("send-file", "send a file through a partner's proxy (receive-file token)");
  auto* fetch = app.add_subcommand("fetch-file", "fetch a file through a partner's proxy (send-file token)");
  for (auto [cmd, opts] : {std::pair{send, &send_site}, std::pair{fetch, &fetch_site}}) {
    opts->Add(cmd);
    cmd->add_option("--remote", remote, "IP:PORT of the partner's proxy")->required();
    cmd->add_option("--remote-site", remote_site, "the partner site")->required();
    cmd->add_option("--token", token, "token the partner issued")->required();
    cmd->add_flag("--no-compress", no_compress, "send batches raw");
    cmd->add_option("--link-timeout-ms", link_timeout_ms,
                    "fail when the link is dead this long (default 30000)")
        ->check(CLI::Range(1000, 3600000));
    cmd->add_option("FILE", file, "file to send / path to store the fetched file")->required();
  }

  CLI11_PARSE(app, argc, argv);

  if (*key) {
    auto k = federation::SiteKey::LoadOrCreate(key_file);
    if (!k.ok()) return Fail(k.status());
    std::printf("%s\n", k->PublicKeyBase64().c_str());
    return 0;
  }
  if (*run) return Run(run_site, listen, control, no_compress, link_timeout_ms, batch_kib);
  if (*issue) {
    const std::string kind = !connect.empty()        ? "connect"
                             : !receive_file.empty() ? "receive-file"
                                                     : "send-file";
    const std::string target = !connect.empty() ? connect : !receive_file.empty() ? receive_file : send_file;
    return PrintResponse(transfer::ControlCall(issue_control, json{{"op", "issue"},
                                                                   {"vm", vm},
                                                                   {"direction", direction},
                                                                   {"peer", peer},
                                                                   {"kind", kind},
                                                                   {"target", target},
                                                                   {"ttl_ms", ttl_ms},
                                                                   {"connections", connections}}),
                         "token");
  }
  if (*forward) {
    return PrintResponse(transfer::ControlCall(fwd_control, json{{"op", "forward"},
                                                                 {"listen", fwd_listen},
                                                                 {"remote", fwd_remote},
                                                                 {"site", fwd_site},
                                                                 {"token", fwd_token}}),
                         "listen");
  }
  if (*status) {
    if (counters == !status_token.empty())
      return Fail(Status::InvalidArgument("give exactly one of --token, --counters"));
    const json request =
        counters ? json{{"op", "counters"}} : json{{"op", "status"}, {"token", status_token}};
    return PrintResponse(transfer::ControlCall(status_control, request), nullptr);
  }
  if (*send) return Transfer(send_site, remote, remote_site, token, file, true, no_compress, link_timeout_ms);
  return Transfer(fetch_site, remote, remote_site, token, file, false, no_compress, link_timeout_ms);
}
