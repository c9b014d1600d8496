#include "daemon/network_manager.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "api/net_client.h"
#include "context/names.h"
#include "core/files.h"
#include "daemon/udp_port_pool.h"
#include "net/ports_file.h"

namespace tern::daemon {

namespace {

constexpr auto kSwitchReady = std::chrono::seconds(5);
constexpr auto kSwitchStopGrace = std::chrono::milliseconds(3000);

std::string DefaultSwitchBinary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "tern-switch";
  return (self.parent_path() / "tern-switch").string();
}

// Writes a secret: owner-only from the first byte, replaced atomically.
Status WriteSecretFile(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create '" + tmp + "': " + std::strerror(errno));
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot write '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Tail(const std::string& path, size_t bytes) {
  auto text = ReadFile(path);
  if (!text.ok()) return "(no log: " + text.status().message() + ")";
  return text->size() > bytes ? text->substr(text->size() - bytes) : *text;
}

std::string RandomMac() {
  uint8_t b[3] = {0, 0, 0};
  if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) {
    const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    b[0] = static_cast<uint8_t>(t);
    b[1] = static_cast<uint8_t>(t >> 8);
    b[2] = static_cast<uint8_t>(t >> 16);
  }
  char buf[18];
  std::snprintf(buf, sizeof buf, "52:54:00:%02x:%02x:%02x", b[0], b[1], b[2]);
  return buf;
}

std::string LowerMac(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<std::string> NewNetworkKeyHex() {
  uint8_t key[32];
  if (::getrandom(key, sizeof key, 0) != static_cast<ssize_t>(sizeof key)) {
    return Status::Internal(std::string("getrandom for a network key: ") + std::strerror(errno));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const uint8_t b : key) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

NetworkManager::NetworkManager(const DaemonConfig& config, store::NetworkStore& networks,
                               store::StateStore& vms, std::function<int64_t()> now_ms)
    : config_(config),
      networks_(networks),
      vms_(vms),
      now_ms_(std::move(now_ms)),
      binary_(config.net_switch.binary.empty() ? DefaultSwitchBinary() : config.net_switch.binary) {}

NetworkManager::~NetworkManager() {
  Stop();
}

std::vector<std::string> NetworkManager::PeerAddresses() const {
  std::vector<std::string> out;
  for (const auto& p : config_.peers) out.push_back(p.switch_address);
  return out;
}

Status NetworkManager::Start() {
  const NetworkFiles files = FilesOf(config_.data_dir, "x");
  TERN_RETURN_IF_ERROR(MakeDirs(files.dir));
  ::chmod(files.dir.c_str(), 0700);
  {
    std::lock_guard lock(mu_);
    // Ports of VMs this host no longer has (destroyed or gone while ternd was down) are closed.
    TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListPorts());
    for (const auto& p : ports) {
      auto vm = vms_.GetVm(p.vm);
      if (!vm.ok() && vm.status().code() == StatusCode::kNotFound) {
        spdlog::info("network {}: dropping the port {}:{} of vm {}, which is not on this host", p.network,
                     p.local_port, p.remote_port, p.vm);
        TERN_RETURN_IF_ERROR(networks_.DeletePort(p.local_port));
      }
    }
    TERN_ASSIGN_OR_RETURN(auto nets, networks_.ListNetworks());
    for (const auto& n : nets) {
      if (Status s = EnsureSwitchLocked(n); !s.ok()) {
        // The supervisor keeps trying; the rest of ternd works meanwhile.
        spdlog::error("network {}: {}", n.name, s.ToString());
        continue;
      }
      if (Status s = SyncPortsLocked(n.name); !s.ok()) spdlog::warn("network {}: {}", n.name, s.ToString());
    }
  }
  supervisor_ = std::thread([this] { Supervise(); });
  return Status::Ok();
}

void NetworkManager::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
}

void NetworkManager::Supervise() {
  std::unique_lock lock(mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [name, sw] : switches_) {
      if (sw.process && sw.process->Alive()) continue;
      if (now < sw.next_restart) continue;
      auto rec = networks_.GetNetwork(name);
      if (!rec.ok()) continue;
      spdlog::warn("network {}: switch daemon {}; restarting it (restart {})", name,
                   sw.process ? sw.process->exit_reason() : sw.last_exit, sw.restarts + 1);
      if (Status s = EnsureSwitchLocked(*rec); !s.ok()) spdlog::error("network {}: {}", name, s.ToString());
    }
  }
}

Status NetworkManager::EnsureSwitchLocked(const store::NetworkRecord& rec) {
  Switch& sw = switches_[rec.name];
  if (sw.process && sw.process->Alive()) return Status::Ok();
  if (sw.process) sw.last_exit = sw.process->exit_reason();
  sw.process.reset();
  const NetworkFiles files = FilesOf(config_.data_dir, rec.name);
  TERN_RETURN_IF_ERROR(MakeDirs(files.dir));
  auto key = ReadFile(files.key);
  if (!key.ok() || *key != rec.key_hex + "\n")
    TERN_RETURN_IF_ERROR(WriteSecretFile(files.key, rec.key_hex + "\n"));
  const SwitchCommand command = BuildSwitchCommand(binary_, config_.net_switch, rec, PeerAddresses(), files);
  if (auto adopted = SwitchProcess::Adopt(command)) {
    spdlog::info("network {}: adopted its running switch daemon (pid {})", rec.name, adopted->pid());
    sw.process = std::make_unique<SwitchProcess>(std::move(*adopted));
    return Status::Ok();
  }
  const auto fail = [&](const Status& s) {
    ++sw.restarts;
    sw.next_restart =
        std::chrono::steady_clock::now() + std::chrono::seconds(std::min(30, 1 << std::min(sw.restarts, 5)));
    sw.last_exit = s.message();
    return s.WithContext("network '" + rec.name + "': switch daemon");
  };
  if (!FileExists(files.ports)) {
    if (Status s = WriteFileAtomic(files.ports, net::FormatPortsFile({})); !s.ok()) return fail(s);
  }
  (void)RemoveFile(files.status);
  auto spawned = SwitchProcess::Spawn(command);
  if (!spawned.ok()) return fail(spawned.status());
  sw.process = std::make_unique<SwitchProcess>(std::move(spawned).value());
  const int pid = sw.process->pid();
  const auto deadline = std::chrono::steady_clock::now() + kSwitchReady;
  while (true) {
    auto status = ReadStatus(rec.name);
    if (status.ok() && status->pid == pid) break;
    if (!sw.process->Alive()) {
      const std::string why = sw.process->exit_reason();
      sw.process.reset();
      return fail(Status::Unavailable("tern-switch " + why + "; its log " + files.log + " ends with:\n" +
                                      Tail(files.log, 1500)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(Status::Unavailable("tern-switch (pid " + std::to_string(pid) +
                                      ") wrote no status within " + std::to_string(kSwitchReady.count()) +
                                      " s; see " + files.log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sw.next_restart = {};
  spdlog::info("network {}: switch daemon running (pid {}, {}:{})", rec.name, pid, config_.net_switch.address,
               rec.port);
  return Status::Ok();
}

Result<SwitchStatus> NetworkManager::ReadStatus(const std::string& network) {
  const std::string path = FilesOf(config_.data_dir, network).status;
  TERN_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseSwitchStatus(text, path);
}

Status NetworkManager::SyncPortsLocked(const std::string& network) {
  TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListNetworkPorts(network));
  std::vector<net::PortsFileEntry> entries;
  for (const auto& p : ports) {
    entries.push_back({static_cast<uint16_t>(p.local_port), static_cast<uint16_t>(p.remote_port), p.vm});
  }
  TERN_RETURN_IF_ERROR(
      WriteFileAtomic(FilesOf(config_.data_dir, network).ports, net::FormatPortsFile(entries)));
  auto it = switches_.find(network);
  if (it == switches_.end() || !it->second.process) {
    return Status::Unavailable("network '" + network + "': its switch daemon is not running");
  }
  return it->second.process->Reload();
}

Status NetworkManager::WaitForPortsLocked(const std::string& network,
                                          const std::vector<store::NetPortRecord>& ports) {
  const auto deadline = std::chrono::steady_clock::now() + kSwitchReady;
  while (true) {
    auto status = ReadStatus(network);
    if (status.ok()) {
      bool all = true;
      for (const auto& p : ports) {
        if (const std::string e = status->PortError(p.local_port, p.remote_port); !e.empty()) {
          return Status::Unavailable("network '" + network + "': the switch cannot open the port of vm " +
                                     p.vm + ": " + e);
        }
        all = all && status->HasVmPort(p.local_port, p.remote_port);
      }
      if (all) return Status::Ok();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("network '" + network + "': the switch did not open the VM port(s) within " +
                                 std::to_string(kSwitchReady.count()) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<int> NetworkManager::PickNetworkPortLocked() {
  TERN_ASSIGN_OR_RETURN(auto nets, networks_.ListNetworks());
  std::set<int> used;
  for (const auto& n : nets) used.insert(n.port);
  const PortRange& r = config_.net_switch.network_ports;
  for (int p = r.first; p <= r.last; ++p) {
    if (used.count(p) == 0 && UdpPortIsFree(p, config_.net_switch.address)) return p;
  }
  return Status::Unavailable("no free UDP port left in switch.network_ports " + r.ToString() + " on " +
                             config_.net_switch.address);
}

Status NetworkManager::AddLocalLocked(const store::NetworkRecord& rec) {
  TERN_RETURN_IF_ERROR(networks_.InsertNetwork(rec));
  if (Status s = EnsureSwitchLocked(rec); !s.ok()) {
    if (auto it = switches_.find(rec.name); it != switches_.end() && it->second.process) {
      it->second.process->Stop(kSwitchStopGrace);
    }
    switches_.erase(rec.name);
    const NetworkFiles f = FilesOf(config_.data_dir, rec.name);
    for (const auto& path : {f.key, f.ports, f.status, f.pid}) (void)RemoveFile(path);
    (void)networks_.DeleteNetwork(rec.name);
    return s;
  }
  spdlog::info("network {} created on {} (switch port {}, {})", rec.name, config_.host_name, rec.port,
               rec.encrypt ? "encrypted" : "authenticated");
  return Status::Ok();
}

Status NetworkManager::RemoveLocalLocked(const std::string& name) {
  TERN_RETURN_IF_ERROR(networks_.GetNetwork(name).status());
  TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListNetworkPorts(name));
  if (!ports.empty()) {
    std::string vms;
    for (const auto& p : ports) vms += (vms.empty() ? "" : ", ") + p.vm;
    return Status::FailedPrecondition("network '" + name + "' still has VMs attached on host " +
                                      config_.host_name + ": " + vms);
  }
  if (auto it = switches_.find(name); it != switches_.end()) {
    if (it->second.process) it->second.process->Stop(kSwitchStopGrace);
    switches_.erase(it);
  }
  const NetworkFiles f = FilesOf(config_.data_dir, name);
  for (const auto& path : {f.key, f.ports, f.status, f.pid}) (void)RemoveFile(path);
  TERN_RETURN_IF_ERROR(networks_.DeleteNetwork(name));
  spdlog::info("network {} removed from {}", name, config_.host_name);
  return Status::Ok();
}

Result<api::NetworkView> NetworkManager::CreateNetwork(const api::NetworkCreateRequest& request) {
  TERN_RETURN_IF_ERROR(context::ValidateNetworkName(request.name));
  std::lock_guard lock(mu_);
  if (networks_.GetNetwork(request.name).ok()) {
    return Status::AlreadyExists("network '" + request.name + "' already exists");
  }
  TERN_ASSIGN_OR_RETURN(int port, PickNetworkPortLocked());
  TERN_ASSIGN_OR_RETURN(std::string key, NewNetworkKeyHex());
  const store::NetworkRecord rec{request.name, key, port, request.encrypt, now_ms_(), config_.host_name};
  TERN_RETURN_IF_ERROR(AddLocalLocked(rec).WithContext("create network " + request.name));
  const api::NetworkPeerRequest peer_request{rec.name,    rec.key_hex,       rec.port,
                                             rec.encrypt, rec.created_at_ms, rec.created_on};
  std::vector<const PeerHost*> done;
  for (const auto& peer : config_.peers) {
    auto client = api::ApiClient::Create(peer.api);
    Status s = client.ok() ? api::NetClient(**client).AddPeerNetwork(peer_request).status() : client.status();
    if (s.ok()) {
      done.push_back(&peer);
      continue;
    }
    // All or none: the hosts that have it drop it again.
    for (const PeerHost* d : done) {
      auto c = api::ApiClient::Create(d->api);
      Status r = c.ok() ? api::NetClient(**c).RemovePeerNetwork(rec.name) : c.status();
      if (!r.ok()) spdlog::warn("network {}: host {} did not drop it: {}", rec.name, d->name, r.ToString());
    }
    if (Status r = RemoveLocalLocked(rec.name); !r.ok())
      spdlog::warn("network {}: {}", rec.name, r.ToString());
    return s.WithContext("network '" + rec.name + "' not created: host " + peer.name + " refused it");
  }
  return ViewLocked(rec);
}

Result<api::NetworkView> NetworkManager::AddPeerNetwork(const api::NetworkPeerRequest& r) {
  TERN_RETURN_IF_ERROR(context::ValidateNetworkName(r.name));
  if (!IsHex64(r.key_hex)) {
    return Status::InvalidArgument("network '" + r.name + "': the key is not 64 hex digits");
  }
  if (r.port < 1 || r.port > 65535) {
    return Status::InvalidArgument("network '" + r.name + "': port " + std::to_string(r.port) +
                                   " is not 1..65535");
  }
  std::lock_guard lock(mu_);
  if (auto known = networks_.GetNetwork(r.name); known.ok()) {
    if (known->key_hex == r.key_hex && known->port == r.port) return ViewLocked(*known);  // a retried call
    return Status::AlreadyExists("network '" + r.name + "' already exists on host " + config_.host_name);
  }
  TERN_ASSIGN_OR_RETURN(auto nets, networks_.ListNetworks());
  for (const auto& n : nets) {
    if (n.port == r.port) {
      return Status::AlreadyExists("UDP port " + std::to_string(r.port) + " is used by network '" + n.name +
                                   "' on host " + config_.host_name);
    }
  }
  const store::NetworkRecord rec{r.name, r.key_hex, r.port, r.encrypt, r.created_at_ms, r.created_on};
  TERN_RETURN_IF_ERROR(AddLocalLocked(rec));
  return ViewLocked(rec);
}

Status NetworkManager::RemovePeerNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  return RemoveLocalLocked(name);
}

Status NetworkManager::DeleteNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  TERN_RETURN_IF_ERROR(networks_.GetNetwork(name).status());
  TERN_ASSIGN_OR_RETURN(auto here, networks_.ListNetworkPorts(name));
  if (!here.empty()) {
    return Status::FailedPrecondition("network '" + name + "' still has VMs attached on host " +
                                      config_.host_name + " (" + here.front().vm +
                                      (here.size() > 1 ? ", ..." : "") + ")");
  }
  // Checked everywhere first, so that a refusal changes nothing.
  for (const auto& peer : config_.peers) {
    auto client = api::ApiClient::Create(peer.api);
    if (!client.ok()) return client.status();
    auto v = api::NetClient(**client).Show(name);
    if (!v.ok() && v.status().code() == StatusCode::kNotFound) continue;
    if (!v.ok()) return v.status().WithContext("delete network " + name + ": host " + peer.name);
    if (!v->ports.empty()) {
      return Status::FailedPrecondition("network '" + name + "' still has VMs attached on host " + peer.name +
                                        " (" + v->ports.front().vm + (v->ports.size() > 1 ? ", ..." : "") +
                                        ")");
    }
  }
  for (const auto& peer : config_.peers) {
    auto client = api::ApiClient::Create(peer.api);
    Status s = client.ok() ? api::NetClient(**client).RemovePeerNetwork(name) : client.status();
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      return s.WithContext("delete network " + name + ": host " + peer.name);
    }
  }
  return RemoveLocalLocked(name);
}

Result<api::NetworkView> NetworkManager::ViewLocked(const store::NetworkRecord& rec) {
  api::NetworkView v;
  v.name = rec.name;
  v.host = config_.host_name;
  v.port = rec.port;
  v.encrypt = rec.encrypt;
  v.created_at_ms = rec.created_at_ms;
  v.created_on = rec.created_on;
  v.listen = config_.net_switch.address + ":" + std::to_string(rec.port);
  auto it = switches_.find(rec.name);
  const bool running = it != switches_.end() && it->second.process && it->second.process->Alive();
  auto status = ReadStatus(rec.name);
  if (running) {
    v.switch_pid = it->second.process->pid();
    v.switch_state = status.ok() && status->pid == v.switch_pid ? "running" : "starting";
  } else {
    const std::string why = it == switches_.end() ? "not started" : it->second.last_exit;
    v.switch_state = "down: " + (why.empty() ? std::string("not running") : why);
  }
  if (status.ok() && running && status->pid == v.switch_pid) {
    v.listen = status->listen;
    v.session = status->session;
    v.membership = status->state;
    v.mtu = status->mtu;
    v.cipher = status->cipher;
    v.macs = status->macs;
    v.counters = status->counters;
    v.port_errors = status->port_errors;
    for (const auto& p : status->peers) {
      api::SwitchPeerView pv{"", p.endpoint, p.session, p.state, p.silent_ms};
      const std::string address = p.endpoint.substr(0, p.endpoint.rfind(':'));
      for (const auto& peer : config_.peers) {
        if (peer.switch_address == address) pv.host = peer.name;
      }
      v.peers.push_back(std::move(pv));
    }
  }
  TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListNetworkPorts(rec.name));
  for (const auto& p : ports) {
    const bool open = status.ok() && running && status->HasVmPort(p.local_port, p.remote_port);
    v.ports.push_back({p.network, p.vm, p.mac, p.local_port, p.remote_port, open});
  }
  return v;
}

Result<std::vector<api::NetworkView>> NetworkManager::ListNetworks() {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto nets, networks_.ListNetworks());
  std::vector<api::NetworkView> out;
  for (const auto& n : nets) {
    TERN_ASSIGN_OR_RETURN(auto v, ViewLocked(n));
    out.push_back(std::move(v));
  }
  return out;
}

Result<api::NetworkView> NetworkManager::ShowNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto rec, networks_.GetNetwork(name));
  return ViewLocked(rec);
}

Result<std::vector<TernNicPorts>> NetworkManager::OpenVmPorts(const std::string& vm,
                                                              const std::vector<NicRequest>& nics) {
  std::vector<TernNicPorts> out;
  if (nics.empty()) return out;
  std::lock_guard lock(mu_);
  std::set<std::string> touched;
  for (const auto& nic : nics) {
    auto rec = networks_.GetNetwork(nic.network);
    if (!rec.ok()) {
      return Status::NotFound("vm '" + vm + "': network '" + nic.network + "' does not exist on host " +
                              config_.host_name + " (create it with `tern net create " + nic.network + "`)");
    }
    TERN_RETURN_IF_ERROR(EnsureSwitchLocked(*rec));
    TERN_ASSIGN_OR_RETURN(auto on_network, networks_.ListNetworkPorts(nic.network));
    for (const auto& p : on_network) {
      if (p.vm != vm && LowerMac(p.mac) == LowerMac(nic.mac)) {
        return Status::AlreadyExists("vm '" + vm + "': MAC " + nic.mac + " is already used on network '" +
                                     nic.network + "' by vm '" + p.vm + "'");
      }
    }
    touched.insert(nic.network);
  }
  TERN_ASSIGN_OR_RETURN(auto all, networks_.ListPorts());
  std::set<int> used;
  for (const auto& p : all) used.insert({p.local_port, p.remote_port});
  std::vector<store::NetPortRecord> inserted;
  const auto undo = [&](const Status& s) {
    for (const auto& p : inserted) (void)networks_.DeletePort(p.local_port);
    for (const auto& n : touched) (void)SyncPortsLocked(n);
    return s.WithContext("vm '" + vm + "' on tern networks");
  };
  for (const auto& nic : nics) {
    auto pair = PickPortPair(config_.net_switch.vm_ports, used, [](int p) { return UdpPortIsFree(p); });
    if (!pair.ok()) return undo(pair.status());
    used.insert({pair->first, pair->second});
    const store::NetPortRecord rec{nic.network, vm, nic.mac, pair->first, pair->second, now_ms_()};
    if (Status s = networks_.InsertPort(rec); !s.ok()) return undo(s);
    inserted.push_back(rec);
    out.push_back({pair->first, pair->second, nic.mac});
  }
  for (const auto& n : touched) {
    if (Status s = SyncPortsLocked(n); !s.ok()) return undo(s);
  }
  for (const auto& n : touched) {
    std::vector<store::NetPortRecord> mine;
    for (const auto& p : inserted) {
      if (p.network == n) mine.push_back(p);
    }
    if (Status s = WaitForPortsLocked(n, mine); !s.ok()) return undo(s);
  }
  for (const auto& p : inserted) {
    spdlog::info("network {}: vm {} (mac {}) on switch port {}, qemu port {}", p.network, vm, p.mac,
                 p.local_port, p.remote_port);
  }
  return out;
}

Status NetworkManager::CloseVmPorts(const std::string& vm) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListVmPorts(vm));
  if (ports.empty()) return Status::Ok();
  TERN_RETURN_IF_ERROR(networks_.DeleteVmPorts(vm));
  std::set<std::string> touched;
  for (const auto& p : ports) touched.insert(p.network);
  for (const auto& n : touched) {
    if (Status s = SyncPortsLocked(n); !s.ok()) spdlog::warn("network {}: {}", n, s.ToString());
  }
  spdlog::info("vm {}: closed its {} port(s) on tern networks", vm, ports.size());
  return Status::Ok();
}

Result<std::vector<api::NetPortView>> NetworkManager::VmPorts(const std::string& vm) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto ports, networks_.ListVmPorts(vm));
  std::vector<api::NetPortView> out;
  for (const auto& p : ports) out.push_back({p.network, p.vm, p.mac, p.local_port, p.remote_port, true});
  return out;
}

Result<api::NetworkAttachView> NetworkManager::AttachVm(const std::string& network,
                                                        const api::NetworkAttachRequest& request) {
  TERN_RETURN_IF_ERROR(context::ValidateVmName(request.vm));
  {
    std::lock_guard lock(mu_);
    TERN_RETURN_IF_ERROR(networks_.GetNetwork(network).status());
  }
  TERN_ASSIGN_OR_RETURN(auto vm, vms_.GetVm(request.vm));
  if (vm.state == "incoming" || vm.state == "deploying") {
    return Status::FailedPrecondition("vm '" + request.vm + "' is " + vm.state + "; attach it once it runs");
  }
  const std::string mac = request.mac.empty() ? RandomMac() : request.mac;
  if (Status s = context::ValidateMac(mac); !s.ok()) return s.WithContext("attach " + request.vm);
  if (!attacher_) return Status::Internal("network manager: no NIC attacher");
  TERN_ASSIGN_OR_RETURN(auto ports, OpenVmPorts(request.vm, {{network, mac}}));
  const TernNicPorts& p = ports.front();
  auto restarted = attacher_(request.vm, UdpNic{mac, p.switch_port, p.qemu_port}, request.restart);
  if (!restarted.ok()) {
    std::lock_guard lock(mu_);
    (void)networks_.DeletePort(p.switch_port);
    (void)SyncPortsLocked(network);
    return restarted.status().WithContext("attach " + request.vm + " to " + network);
  }
  api::NetworkAttachView v;
  v.port = {network, request.vm, mac, p.switch_port, p.qemu_port, true};
  v.restarted = *restarted;
  if (!*restarted) v.note = "the VM is not running: the NIC appears when it starts";
  return v;
}

}  // namespace tern::daemon
