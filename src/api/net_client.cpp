#include "api/net_client.h"

namespace tern::api {

using nlohmann::json;

Result<NetworkView> NetClient::Create(const NetworkCreateRequest& request) {
  TERN_ASSIGN_OR_RETURN(json j, api_.Call("POST", "/v1/networks", ToJson(request).dump()));
  return NetworkViewFromJson(j);
}

Result<std::vector<NetworkView>> NetClient::List() {
  TERN_ASSIGN_OR_RETURN(json j, api_.Call("GET", "/v1/networks"));
  if (!j.contains("networks") || !j["networks"].is_array())
    return Status::Internal("network list: missing 'networks' array");
  std::vector<NetworkView> out;
  for (const auto& n : j["networks"]) {
    TERN_ASSIGN_OR_RETURN(auto v, NetworkViewFromJson(n));
    out.push_back(std::move(v));
  }
  return out;
}

Result<NetworkView> NetClient::Show(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(json j, api_.Call("GET", "/v1/networks/" + name));
  return NetworkViewFromJson(j);
}

Result<NetworkAttachView> NetClient::Attach(const std::string& network, const NetworkAttachRequest& request) {
  TERN_ASSIGN_OR_RETURN(json j,
                        api_.Call("POST", "/v1/networks/" + network + "/attach", ToJson(request).dump()));
  return NetworkAttachViewFromJson(j);
}

Status NetClient::Delete(const std::string& name) {
  return api_.Call("DELETE", "/v1/networks/" + name).status();
}

Result<NetworkView> NetClient::AddPeerNetwork(const NetworkPeerRequest& request) {
  TERN_ASSIGN_OR_RETURN(json j,
                        api_.Call("PUT", "/v1/peer/networks/" + request.name, ToJson(request).dump()));
  return NetworkViewFromJson(j);
}

Status NetClient::RemovePeerNetwork(const std::string& name) {
  return api_.Call("DELETE", "/v1/peer/networks/" + name).status();
}

}  // namespace tern::api
