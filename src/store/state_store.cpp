#include "store/state_store.h"

namespace tern::store {

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vms (
  name TEXT PRIMARY KEY,
  uuid TEXT NOT NULL,
  host TEXT NOT NULL,
  state TEXT NOT NULL,
  manifest_source TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS layers (
  vm TEXT NOT NULL REFERENCES vms(name) ON DELETE CASCADE,
  class TEXT NOT NULL,
  priority INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  origin TEXT NOT NULL,
  iso_path TEXT NOT NULL,
  target_dev TEXT NOT NULL,
  changed_at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (vm, class)
);
CREATE TABLE IF NOT EXISTS departures (
  vm TEXT PRIMARY KEY,
  uuid TEXT NOT NULL,
  to_host TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  vm TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_vm ON events(vm, id);
)sql";

VmRecord ReadVm(const SqliteStatement& s) {
  VmRecord vm;
  vm.name = s.ColumnText(0);
  vm.uuid = s.ColumnText(1);
  vm.host = s.ColumnText(2);
  vm.state = s.ColumnText(3);
  vm.manifest_source = s.ColumnText(4);
  vm.instance_id = s.ColumnText(5);
  vm.created_at_ms = s.ColumnInt(6);
  vm.updated_at_ms = s.ColumnInt(7);
  return vm;
}
constexpr const char* kVmColumns =
    "SELECT name, uuid, host, state, manifest_source, instance_id, created_at_ms, updated_at_ms FROM vms";
}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& db_path) {
  TERN_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(db_path));
  std::unique_ptr<StateStore> store(
      new StateStore(std::move(db)));  // NOLINT(cppcoreguidelines-owning-memory)
  TERN_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status StateStore::Migrate() {
  std::lock_guard lock(mu_);
  return db_->Exec(kSchema).WithContext("state database '" + db_->path() + "' schema");
}

Status StateStore::InsertLayerLocked(const LayerRecord& l) {
  auto r = db_->Run(
      "INSERT INTO layers (vm, class, priority, generation, origin, iso_path, target_dev, changed_at_ms, "
      "reason, "
      "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(vm, class) DO UPDATE SET "
      "priority=excluded.priority, generation=excluded.generation, origin=excluded.origin, "
      "iso_path=excluded.iso_path, target_dev=excluded.target_dev, changed_at_ms=excluded.changed_at_ms, "
      "reason=excluded.reason, digest=excluded.digest",
      {l.vm, l.class_name, int64_t{l.priority}, static_cast<int64_t>(l.generation), l.origin, l.iso_path,
       l.target_dev, l.changed_at_ms, l.reason, l.digest});
  return r.ok() ? Status::Ok() : r.status();
}

Status StateStore::InsertVm(const VmRecord& vm, const std::vector<LayerRecord>& layers) {
  std::lock_guard lock(mu_);
  TERN_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  auto fail = [&](const Status& s) {
    (void)db_->Exec("ROLLBACK");
    return s;
  };
  auto r = db_->Run(
      "INSERT INTO vms (name, uuid, host, state, manifest_source, instance_id, created_at_ms, updated_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {vm.name, vm.uuid, vm.host, vm.state, vm.manifest_source, vm.instance_id, vm.created_at_ms,
       vm.updated_at_ms});
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kAlreadyExists) {
      return fail(Status::AlreadyExists("vm '" + vm.name + "' is already in the state database"));
    }
    return fail(r.status());
  }
  for (const auto& l : layers) {
    Status s = InsertLayerLocked(l);
    if (!s.ok()) return fail(s);
  }
  if (auto d = db_->Run("DELETE FROM departures WHERE vm = ?", {vm.name}); !d.ok()) return fail(d.status());
  return db_->Exec("COMMIT");
}

Result<VmRecord> StateStore::GetVm(const std::string& name) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kVmColumns) + " WHERE name = ?"));
  TERN_RETURN_IF_ERROR(stmt.Bind({name}));
  TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::NotFound("vm '" + name + "' is not managed by tern on this host");
  return ReadVm(stmt);
}

Result<std::vector<VmRecord>> StateStore::ListVms() {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kVmColumns) + " ORDER BY name"));
  std::vector<VmRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadVm(stmt));
  }
  return out;
}

Status StateStore::UpdateVmState(const std::string& name, const std::string& state, int64_t now_ms) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(
      int n, db_->Run("UPDATE vms SET state = ?, updated_at_ms = ? WHERE name = ?", {state, now_ms, name}));
  if (n == 0) return Status::NotFound("vm '" + name + "' is not managed by tern on this host");
  return Status::Ok();
}

Status StateStore::UpdateVmHost(const std::string& name, const std::string& host, int64_t now_ms) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(
      int n, db_->Run("UPDATE vms SET host = ?, updated_at_ms = ? WHERE name = ?", {host, now_ms, name}));
  if (n == 0) return Status::NotFound("vm '" + name + "' is not managed by tern on this host");
  return Status::Ok();
}

Status StateStore::DeleteVm(const std::string& name) {
  std::lock_guard lock(mu_);
  TERN_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  auto n = db_->Run("DELETE FROM vms WHERE name = ?", {name});
  if (!n.ok()) {
    (void)db_->Exec("ROLLBACK");
    return n.status();
  }
  if (*n == 0) {
    (void)db_->Exec("ROLLBACK");
    return Status::NotFound("vm '" + name + "' is not managed by tern on this host");
  }
  auto e = db_->Run("DELETE FROM events WHERE vm = ?", {name});
  if (!e.ok()) {
    (void)db_->Exec("ROLLBACK");
    return e.status();
  }
  return db_->Exec("COMMIT");
}

Result<std::vector<LayerRecord>> StateStore::ListLayers(const std::string& vm) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("SELECT vm, class, priority, generation, origin, iso_path, "
                                     "target_dev, changed_at_ms, reason, digest FROM layers WHERE vm = ? "
                                     "ORDER BY priority"));
  TERN_RETURN_IF_ERROR(stmt.Bind({vm}));
  std::vector<LayerRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LayerRecord l;
    l.vm = stmt.ColumnText(0);
    l.class_name = stmt.ColumnText(1);
    l.priority = static_cast<int>(stmt.ColumnInt(2));
    l.generation = static_cast<uint64_t>(stmt.ColumnInt(3));
    l.origin = stmt.ColumnText(4);
    l.iso_path = stmt.ColumnText(5);
    l.target_dev = stmt.ColumnText(6);
    l.changed_at_ms = stmt.ColumnInt(7);
    l.reason = stmt.ColumnText(8);
    l.digest = stmt.ColumnText(9);
    out.push_back(std::move(l));
  }
  return out;
}

Status StateStore::UpsertLayer(const LayerRecord& layer) {
  std::lock_guard lock(mu_);
  return InsertLayerLocked(layer);
}

Status StateStore::RecordDeparture(const DepartureRecord& d) {
  std::lock_guard lock(mu_);
  TERN_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  for (const char* sql : {"DELETE FROM vms WHERE name = ?", "DELETE FROM events WHERE vm = ?"}) {
    if (auto r = db_->Run(sql, {d.vm}); !r.ok()) {
      (void)db_->Exec("ROLLBACK");
      return r.status();
    }
  }
  auto r = db_->Run(
      "INSERT INTO departures (vm, uuid, to_host, at_ms) VALUES (?, ?, ?, ?) ON CONFLICT(vm) DO UPDATE "
      "SET uuid=excluded.uuid, to_host=excluded.to_host, at_ms=excluded.at_ms",
      {d.vm, d.uuid, d.to_host, d.at_ms});
  if (!r.ok()) {
    (void)db_->Exec("ROLLBACK");
    return r.status();
  }
  return db_->Exec("COMMIT");
}

Result<DepartureRecord> StateStore::GetDeparture(const std::string& vm) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("SELECT vm, uuid, to_host, at_ms FROM departures WHERE vm = ?"));
  TERN_RETURN_IF_ERROR(stmt.Bind({vm}));
  TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::NotFound("vm '" + vm + "' never left this host");
  return DepartureRecord{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2), stmt.ColumnInt(3)};
}

Status StateStore::AppendEvent(const EventRecord& e) {
  std::lock_guard lock(mu_);
  // Events of a VM that is gone (a destroy racing its own STOPPED event) are dropped, never orphaned.
  auto r = db_->Run(
      "INSERT INTO events (vm, at_ms, kind, detail) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM vms WHERE "
      "name = ?)",
      {e.vm, e.at_ms, e.kind, e.detail, e.vm});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<EventRecord>> StateStore::ListEvents(const std::string& vm, int limit) {
  std::lock_guard lock(mu_);
  TERN_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("SELECT id, vm, at_ms, kind, detail FROM (SELECT * FROM events "
                                     "WHERE vm = ? ORDER BY id DESC LIMIT ?) ORDER BY id"));
  TERN_RETURN_IF_ERROR(stmt.Bind({vm, int64_t{limit}}));
  std::vector<EventRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(
        {stmt.ColumnInt(0), stmt.ColumnText(1), stmt.ColumnInt(2), stmt.ColumnText(3), stmt.ColumnText(4)});
  }
  return out;
}

}  // namespace tern::store
