// NetClient: the client side of the network API, over an ApiClient (the CLI and ternd's peer calls use it).
#pragma once

#include <string>
#include <vector>

#include "api/api_client.h"
#include "api/net_types.h"

namespace tern::api {

class NetClient {
 public:
  explicit NetClient(ApiClient& api) : api_(api) {}
  Result<NetworkView> Create(const NetworkCreateRequest& request);
  Result<std::vector<NetworkView>> List();
  Result<NetworkView> Show(const std::string& name);
  Result<NetworkAttachView> Attach(const std::string& network, const NetworkAttachRequest& request);
  Status Delete(const std::string& name);
  Result<NetworkView> AddPeerNetwork(const NetworkPeerRequest& request);
  Status RemovePeerNetwork(const std::string& name);

 private:
  ApiClient& api_;
};

}  // namespace tern::api
