// StateStore: ternd's durable state (VMs, their context layers, their events) in an SQLite database.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"
#include "store/sqlite_db.h"

namespace tern::store {

class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> Open(const std::string& db_path);

  // Inserts the VM and its layers in one transaction; AlreadyExists when the name is taken.
  Status InsertVm(const VmRecord& vm, const std::vector<LayerRecord>& layers);
  Result<VmRecord> GetVm(const std::string& name);
  Result<std::vector<VmRecord>> ListVms();
  Status UpdateVmState(const std::string& name, const std::string& state, int64_t now_ms);
  Status UpdateVmHost(const std::string& name, const std::string& host, int64_t now_ms);
  // Removes the VM with its layers and events; NotFound when absent.
  Status DeleteVm(const std::string& name);

  Result<std::vector<LayerRecord>> ListLayers(const std::string& vm);
  Status UpsertLayer(const LayerRecord& layer);

  // Removes the VM (layers, events) and remembers where it went, in one transaction.
  Status RecordDeparture(const DepartureRecord& departure);
  Result<DepartureRecord> GetDeparture(const std::string& vm);

  Status AppendEvent(const EventRecord& event);
  Result<std::vector<EventRecord>> ListEvents(const std::string& vm, int limit);

 private:
  explicit StateStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status Migrate();
  Status InsertLayerLocked(const LayerRecord& layer);
  std::mutex mu_;  // one writer at a time; SQLite serializes too, this keeps transactions whole
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace tern::store
