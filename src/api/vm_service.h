// VmService: what the API asks of a ternd host (deploy, list, show, destroy, events); the daemon implements
// it, tests fake it.
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "core/result.h"

namespace tern::api {

class VmService {
 public:
  virtual ~VmService() = default;
  virtual Result<HostView> Host() = 0;
  virtual Result<VmView> Deploy(const DeployRequest& request) = 0;
  virtual Result<std::vector<VmView>> List() = 0;
  virtual Result<VmView> Show(const std::string& name) = 0;
  virtual Status Destroy(const std::string& name) = 0;
  virtual Result<std::vector<EventView>> Events(const std::string& name, int limit) = 0;
  // Rebuilds one context class of a running VM as the next generation and swaps it in.
  virtual Result<RecontextView> Recontext(const std::string& name, const std::string& class_name) = 0;
  // Starts a live migration to another host of the site; progress via GetMigration.
  virtual Result<MigrationView> Migrate(const std::string& name, const std::string& to_host) = 0;
  virtual Result<MigrationView> GetMigration(const std::string& id) = 0;
  // Peer calls between the hosts of a site.
  virtual Result<IncomingView> PrepareIncoming(const IncomingRequest& request) = 0;
  virtual Status AbortIncoming(const std::string& name) = 0;
};

}  // namespace tern::api
