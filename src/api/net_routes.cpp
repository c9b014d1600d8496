#include "api/net_routes.h"

#include "api/types.h"

namespace tern::api {

using nlohmann::json;

namespace {

HttpResponse Error(const Status& s) {
  return {HttpStatusFor(s.code()), ErrorJson(s).dump()};
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    const size_t j = path.find('/', i);
    const std::string s = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!s.empty()) out.push_back(s);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

Result<json> Body(const HttpRequest& req, const std::string& what) {
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return Status::InvalidArgument(what + ": body is not a JSON object");
  }
  return body;
}

}  // namespace

bool IsNetworkRoute(const std::string& path) {
  const auto seg = Segments(path);
  return seg.size() >= 2 && seg[0] == "v1" &&
         (seg[1] == "networks" || (seg[1] == "peer" && seg.size() >= 3 && seg[2] == "networks"));
}

HttpResponse HandleNetworkRoute(NetService& service, const HttpRequest& req) {
  const auto seg = Segments(req.path);
  const auto not_allowed = [&] {
    return HttpResponse{405, ErrorJson(Status::InvalidArgument("method " + req.method +
                                                               " is not allowed on '" + req.path + "'"))
                                 .dump()};
  };
  if (seg.size() == 2) {  // /v1/networks
    if (req.method == "GET") {
      auto nets = service.ListNetworks();
      if (!nets.ok()) return Error(nets.status());
      json arr = json::array();
      for (const auto& n : *nets) arr.push_back(ToJson(n));
      return {200, json{{"networks", arr}}.dump()};
    }
    if (req.method == "POST") {
      auto body = Body(req, "network create request");
      if (!body.ok()) return Error(body.status());
      auto r = NetworkCreateRequestFromJson(*body);
      if (!r.ok()) return Error(r.status());
      auto v = service.CreateNetwork(*r);
      return v.ok() ? HttpResponse{201, ToJson(*v).dump()} : Error(v.status());
    }
    return not_allowed();
  }
  if (seg[1] == "networks" && seg.size() == 3) {
    if (req.method == "GET") {
      auto v = service.ShowNetwork(seg[2]);
      return v.ok() ? HttpResponse{200, ToJson(*v).dump()} : Error(v.status());
    }
    if (req.method == "DELETE") {
      const Status s = service.DeleteNetwork(seg[2]);
      return s.ok() ? HttpResponse{200, json{{"deleted", seg[2]}}.dump()} : Error(s);
    }
    return not_allowed();
  }
  if (seg[1] == "networks" && seg.size() == 4 && seg[3] == "attach") {
    if (req.method != "POST") return not_allowed();
    auto body = Body(req, "network attach request");
    if (!body.ok()) return Error(body.status());
    auto r = NetworkAttachRequestFromJson(*body);
    if (!r.ok()) return Error(r.status());
    auto v = service.AttachVm(seg[2], *r);
    return v.ok() ? HttpResponse{200, ToJson(*v).dump()} : Error(v.status());
  }
  if (seg[1] == "peer" && seg.size() == 4) {  // /v1/peer/networks/NAME
    if (req.method == "PUT") {
      auto body = Body(req, "network peer request");
      if (!body.ok()) return Error(body.status());
      auto r = NetworkPeerRequestFromJson(*body);
      if (!r.ok()) return Error(r.status());
      if (r->name != seg[3]) {
        return Error(Status::InvalidArgument("network peer request: name '" + r->name +
                                             "' does not match the path's '" + seg[3] + "'"));
      }
      auto v = service.AddPeerNetwork(*r);
      return v.ok() ? HttpResponse{201, ToJson(*v).dump()} : Error(v.status());
    }
    if (req.method == "DELETE") {
      const Status s = service.RemovePeerNetwork(seg[3]);
      return s.ok() ? HttpResponse{200, json{{"deleted", seg[3]}}.dump()} : Error(s);
    }
    return not_allowed();
  }
  return Error(Status::NotFound("no API route for '" + req.path + "'"));
}

}  // namespace tern::api
