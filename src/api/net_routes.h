// Routes of the network API (/v1/networks..., /v1/peer/networks/...) onto a NetService. Pure logic, no
// sockets; the Router hands these paths over.
#pragma once

#include "api/net_service.h"
#include "api/router.h"

namespace tern::api {

// True for paths this module serves (so the Router can answer 404/503 for the others).
bool IsNetworkRoute(const std::string& path);
HttpResponse HandleNetworkRoute(NetService& service, const HttpRequest& request);

}  // namespace tern::api
