// NetService: what the API asks of a ternd about tern networks (`tern net create|list|show|attach|delete` and
// the peer calls that carry a network to every host of the site); the daemon's NetworkManager implements it.
#pragma once

#include <string>
#include <vector>

#include "api/net_types.h"
#include "core/result.h"

namespace tern::api {

class NetService {
 public:
  virtual ~NetService() = default;
  // Creates the network on this host and every peer host of the site (all or none).
  virtual Result<NetworkView> CreateNetwork(const NetworkCreateRequest& request) = 0;
  virtual Result<std::vector<NetworkView>> ListNetworks() = 0;
  virtual Result<NetworkView> ShowNetwork(const std::string& name) = 0;
  virtual Result<NetworkAttachView> AttachVm(const std::string& network,
                                             const NetworkAttachRequest& request) = 0;
  // Removes the network from every host of the site; refused while a VM is attached anywhere.
  virtual Status DeleteNetwork(const std::string& name) = 0;
  // Peer calls: create / delete the network on this host only.
  virtual Result<NetworkView> AddPeerNetwork(const NetworkPeerRequest& request) = 0;
  virtual Status RemovePeerNetwork(const std::string& name) = 0;
};

}  // namespace tern::api
