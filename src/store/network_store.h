// NetworkStore: ternd's durable record of tern networks and of the VM ports on them, in the same SQLite file
// as the StateStore (its own connection and tables).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/network_records.h"
#include "store/sqlite_db.h"

namespace tern::store {

class NetworkStore {
 public:
  static Result<std::unique_ptr<NetworkStore>> Open(const std::string& db_path);

  Status InsertNetwork(const NetworkRecord& network);  // AlreadyExists when the name is taken
  Result<NetworkRecord> GetNetwork(const std::string& name);
  Result<std::vector<NetworkRecord>> ListNetworks();
  Status DeleteNetwork(const std::string& name);  // NotFound when absent; refused while ports remain

  // AlreadyExists when one of its UDP ports is already recorded (as either end of any port).
  Status InsertPort(const NetPortRecord& port);
  Result<std::vector<NetPortRecord>> ListPorts();  // all, by network then local port
  Result<std::vector<NetPortRecord>> ListNetworkPorts(const std::string& network);
  Result<std::vector<NetPortRecord>> ListVmPorts(const std::string& vm);
  Status DeletePort(int local_port);
  Status DeleteVmPorts(const std::string& vm);

 private:
  explicit NetworkStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<std::vector<NetPortRecord>> QueryPorts(const std::string& where, const std::vector<SqlValue>& args);
  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace tern::store
