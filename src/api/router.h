// Router: maps an HTTP request (method, path, query, body) to a VmService call and a JSON response.
// Pure logic, no sockets: the HTTP server adapter and the tests both drive it.
#pragma once

#include <map>
#include <string>

#include "api/vm_service.h"

namespace tern::api {
class NetService;
}

namespace tern::api {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;  // JSON
};

class Router {
 public:
  explicit Router(VmService& service) : service_(service) {}
  // Serves /v1/networks and /v1/peer/networks with `net` (without one they answer 503).
  void SetNetService(NetService* net) { net_ = net; }
  HttpResponse Handle(const HttpRequest& request);

 private:
  VmService& service_;
  NetService* net_ = nullptr;
};

}  // namespace tern::api
