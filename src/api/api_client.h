// ApiClient: the CLI's side of tern's HTTP/JSON API; each call returns the decoded view or the server's
// Status.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/types.h"

namespace tern::api {

class ApiClient {
 public:
  // base_url: "http://HOST:PORT".
  static Result<std::unique_ptr<ApiClient>> Create(const std::string& base_url);
  ~ApiClient();

  Result<HostView> Host();
  Result<VmView> Deploy(const DeployRequest& request);
  Result<std::vector<VmView>> List();
  Result<VmView> Show(const std::string& name);
  Status Destroy(const std::string& name);
  Result<std::vector<EventView>> Events(const std::string& name, int limit);
  Result<RecontextView> Recontext(const std::string& name, const std::string& class_name);
  Result<MigrationView> Migrate(const std::string& name, const std::string& to_host);
  Result<MigrationView> GetMigration(const std::string& id);
  Result<IncomingView> PrepareIncoming(const IncomingRequest& request);
  Status AbortIncoming(const std::string& name);
  // Any call (GET, POST, PUT, DELETE): the JSON body on 2xx, else the server's error. For the other API
  // modules' clients (net_client.h).
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const std::string& body = "");

 private:
  struct Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::api
