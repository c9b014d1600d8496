#include "api/api_client.h"

#include <httplib.h>

namespace tern::api {

using nlohmann::json;

struct ApiClient::Impl {
  std::string base_url;
  httplib::Client http;
  explicit Impl(const std::string& url) : base_url(url), http(url) {
    http.set_connection_timeout(5, 0);
    http.set_read_timeout(300, 0);  // a deploy builds images and boots a VM
  }

  // Performs the call; returns the JSON body on 2xx, else the server's error as a Status.
  Result<json> Call(const std::string& method, const std::string& path, const std::string& body = "") {
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (method == "GET") {
      res = http.Get(path);
    } else if (method == "POST") {
      res = http.Post(path, body, "application/json");
    } else if (method == "PUT") {
      res = http.Put(path, body, "application/json");
    } else if (method == "DELETE") {
      res = http.Delete(path);
    } else {
      throw std::logic_error("ApiClient: unsupported method " + method);
    }
    if (!res) {
      return Status::Unavailable("cannot reach ternd at " + base_url + " (" +
                                 httplib::to_string(res.error()) +
                                 "); is it running, and is --server right?");
    }
    if (res->status < 200 || res->status >= 300) return StatusFromErrorJson(res->status, res->body);
    json j = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Status::Internal("ternd at " + base_url + " sent invalid JSON for " + path);
    return j;
  }
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::Create(const std::string& base_url) {
  if (base_url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("server URL '" + base_url + "' must start with http://");
  }
  return std::unique_ptr<ApiClient>(new ApiClient(std::make_unique<Impl>(base_url)));  // NOLINT
}

Result<json> ApiClient::Call(const std::string& method, const std::string& path, const std::string& body) {
  return impl_->Call(method, path, body);
}

Result<HostView> ApiClient::Host() {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("GET", "/v1/host"));
  return HostViewFromJson(j);
}

Result<VmView> ApiClient::Deploy(const DeployRequest& request) {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("POST", "/v1/vms", ToJson(request).dump()));
  return VmViewFromJson(j);
}

Result<std::vector<VmView>> ApiClient::List() {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("GET", "/v1/vms"));
  if (!j.contains("vms") || !j["vms"].is_array()) return Status::Internal("vm list: missing 'vms' array");
  std::vector<VmView> out;
  for (const auto& v : j["vms"]) {
    TERN_ASSIGN_OR_RETURN(auto vm, VmViewFromJson(v));
    out.push_back(std::move(vm));
  }
  return out;
}

Result<VmView> ApiClient::Show(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("GET", "/v1/vms/" + name));
  return VmViewFromJson(j);
}

Status ApiClient::Destroy(const std::string& name) {
  auto r = impl_->Call("DELETE", "/v1/vms/" + name);
  return r.ok() ? Status::Ok() : r.status();
}

Result<RecontextView> ApiClient::Recontext(const std::string& name, const std::string& class_name) {
  TERN_ASSIGN_OR_RETURN(
      json j, impl_->Call("POST", "/v1/vms/" + name + "/recontext", json{{"class", class_name}}.dump()));
  return RecontextViewFromJson(j);
}

Result<MigrationView> ApiClient::Migrate(const std::string& name, const std::string& to_host) {
  TERN_ASSIGN_OR_RETURN(json j,
                        impl_->Call("POST", "/v1/vms/" + name + "/migrate", json{{"to", to_host}}.dump()));
  return MigrationViewFromJson(j);
}

Result<MigrationView> ApiClient::GetMigration(const std::string& id) {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("GET", "/v1/migrations/" + id));
  return MigrationViewFromJson(j);
}

Result<IncomingView> ApiClient::PrepareIncoming(const IncomingRequest& request) {
  TERN_ASSIGN_OR_RETURN(json j, impl_->Call("POST", "/v1/incoming", ToJson(request).dump()));
  return IncomingViewFromJson(j);
}

Status ApiClient::AbortIncoming(const std::string& name) {
  auto r = impl_->Call("DELETE", "/v1/incoming/" + name);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<EventView>> ApiClient::Events(const std::string& name, int limit) {
  TERN_ASSIGN_OR_RETURN(json j,
                        impl_->Call("GET", "/v1/vms/" + name + "/events?limit=" + std::to_string(limit)));
  if (!j.contains("events") || !j["events"].is_array())
    return Status::Internal("events: missing 'events' array");
  std::vector<EventView> out;
  for (const auto& e : j["events"]) {
    TERN_ASSIGN_OR_RETURN(auto ev, EventViewFromJson(e));
    out.push_back(std::move(ev));
  }
  return out;
}

}  // namespace tern::api
