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
};

}  // namespace tern::api
