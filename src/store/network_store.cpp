#include "store/network_store.h"

namespace tern::store {

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS networks (
  name TEXT PRIMARY KEY,
  key_hex TEXT NOT NULL,
  port INTEGER NOT NULL,
  encrypt INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS net_ports (
  local_port INTEGER PRIMARY KEY,
  remote_port INTEGER NOT NULL UNIQUE,
  network TEXT NOT NULL REFERENCES networks(name),
  vm TEXT NOT NULL,
  mac TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS net_ports_by_vm ON net_ports(vm);
)sql";

constexpr const char* kNetworkColumns =
    "SELECT name, key_hex, port, encrypt, created_at_ms, created_on FROM networks";

NetworkRecord ReadNetwork(const SqliteStatement& s) {
  return {s.ColumnText(0),     s.ColumnText(1), static_cast<int>(s.ColumnInt(2)),
          s.ColumnInt(3) != 0, s.ColumnInt(4),  s.ColumnText(5)};
}
}  // namespace

Result<std::unique_ptr<NetworkStore>> NetworkStore::Open(const std::string& db_path) {
  TERN_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(db_path));
  TERN_RETURN_IF_ERROR(db->Exec(kSchema).WithContext("state database '" + db_path + "' network schema"));
  return std::unique_ptr<NetworkStore>(new NetworkStore(std::move(db)));  // NOLINT: private constructor
}

Status NetworkStore::InsertNetwork(const NetworkRecord& n) {
  std::lock_guard lock(mu_);
  auto r = db_->Run(
      "INSERT INTO networks (name, key_hex, port, encrypt, created_at_ms, created_on) VALUES (?, ?, ?, ?, ?, "
      "?)",
      {n.name, n.key_hex, int64_t{n.port}, int64_t{n.encrypt ? 1 : 0}, n.created_at_ms, n.created_on});
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("network '" + n.name + "' already exists");
  }
  return r.ok() ? Status::Ok() : r.status();
}

Result<NetworkRecord> NetworkStore::GetNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kNetworkColumns) + " WHERE name = ?"));
  TERN_RETURN_IF_ERROR(stmt.Bind({name}));
  TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::NotFound("network '" + name + "' does not exist on this host");
  return ReadNetwork(stmt);
}

Result<std::vector<NetworkRecord>> NetworkStore::ListNetworks() {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kNetworkColumns) + " ORDER BY name"));
  std::vector<NetworkRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadNetwork(stmt));
  }
  return out;
}

Status NetworkStore::DeleteNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  auto r = db_->Run("DELETE FROM networks WHERE name = ?", {name});
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) {
    return Status::FailedPrecondition("network '" + name + "' still has VM ports on this host");
  }
  if (!r.ok()) return r.status();
  if (*r == 0) return Status::NotFound("network '" + name + "' does not exist on this host");
  return Status::Ok();
}

Status NetworkStore::InsertPort(const NetPortRecord& p) {
  std::lock_guard lock(mu_);
  // Either end of a new port may be neither end of a recorded one.
  TERN_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("SELECT vm FROM net_ports WHERE local_port IN (?, ?) OR remote_port IN (?, ?) LIMIT 1"));
  TERN_RETURN_IF_ERROR(stmt.Bind(
      {int64_t{p.local_port}, int64_t{p.remote_port}, int64_t{p.local_port}, int64_t{p.remote_port}}));
  TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row) {
    return Status::AlreadyExists("UDP port " + std::to_string(p.local_port) + " or " +
                                 std::to_string(p.remote_port) + " is already used by vm '" +
                                 stmt.ColumnText(0) + "'");
  }
  auto r = db_->Run(
      "INSERT INTO net_ports (local_port, remote_port, network, vm, mac, created_at_ms) VALUES (?, ?, ?, ?, "
      "?, ?)",
      {int64_t{p.local_port}, int64_t{p.remote_port}, p.network, p.vm, p.mac, p.created_at_ms});
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) {
    return Status::NotFound("network '" + p.network + "' does not exist on this host");
  }
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<NetPortRecord>> NetworkStore::QueryPorts(const std::string& where,
                                                            const std::vector<SqlValue>& args) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT network, vm, mac, local_port, remote_port, "
                                                "created_at_ms FROM net_ports " +
                                                where + " ORDER BY network, local_port"));
  TERN_RETURN_IF_ERROR(stmt.Bind(args));
  std::vector<NetPortRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2),
                   static_cast<int>(stmt.ColumnInt(3)), static_cast<int>(stmt.ColumnInt(4)),
                   stmt.ColumnInt(5)});
  }
  return out;
}

Result<std::vector<NetPortRecord>> NetworkStore::ListPorts() {
  return QueryPorts("", {});
}

Result<std::vector<NetPortRecord>> NetworkStore::ListNetworkPorts(const std::string& network) {
  return QueryPorts("WHERE network = ?", {network});
}

Result<std::vector<NetPortRecord>> NetworkStore::ListVmPorts(const std::string& vm) {
  return QueryPorts("WHERE vm = ?", {vm});
}

Status NetworkStore::DeletePort(int local_port) {
  std::lock_guard lock(mu_);
  auto r = db_->Run("DELETE FROM net_ports WHERE local_port = ?", {int64_t{local_port}});
  return r.ok() ? Status::Ok() : r.status();
}

Status NetworkStore::DeleteVmPorts(const std::string& vm) {
  std::lock_guard lock(mu_);
  auto r = db_->Run("DELETE FROM net_ports WHERE vm = ?", {vm});
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace tern::store
