#include "api/router.h"

#include <charconv>

#include "api/net_routes.h"

namespace tern::api {

using nlohmann::json;

namespace {

HttpResponse Error(const Status& s) {
  return {HttpStatusFor(s.code()), ErrorJson(s).dump()};
}
HttpResponse Json(int status, const json& j) {
  return {status, j.dump()};
}

// Splits "/v1/vms/web1/events" into {"v1","vms","web1","events"}.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  return out;
}

}  // namespace

HttpResponse Router::Handle(const HttpRequest& req) {
  const auto seg = Segments(req.path);
  if (seg.empty() || seg[0] != "v1") return Error(Status::NotFound("no API route for '" + req.path + "'"));
  const auto method_not_allowed = [&] {
    return HttpResponse{405, ErrorJson(Status::InvalidArgument("method " + req.method +
                                                               " is not allowed on '" + req.path + "'"))
                                 .dump()};
  };

  if (seg.size() == 2 && seg[1] == "health") return Json(200, {{"status", "ok"}});
  if (IsNetworkRoute(req.path)) {
    if (net_ == nullptr) return Error(Status::Unavailable("this ternd does not serve tern networks"));
    return HandleNetworkRoute(*net_, req);
  }
  if (seg.size() == 2 && seg[1] == "host") {
    if (req.method != "GET") return method_not_allowed();
    auto h = service_.Host();
    return h.ok() ? Json(200, ToJson(*h)) : Error(h.status());
  }
  if (seg.size() == 3 && seg[1] == "migrations") {
    if (req.method != "GET") return method_not_allowed();
    auto m = service_.GetMigration(seg[2]);
    return m.ok() ? Json(200, ToJson(*m)) : Error(m.status());
  }
  if (seg.size() >= 2 && seg[1] == "incoming") {
    if (seg.size() == 2 && req.method == "POST") {
      const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded())
        return Error(Status::InvalidArgument("incoming request: body is not valid JSON"));
      auto r = IncomingRequestFromJson(body);
      if (!r.ok()) return Error(r.status());
      auto v = service_.PrepareIncoming(*r);
      return v.ok() ? Json(201, ToJson(*v)) : Error(v.status());
    }
    if (seg.size() == 3 && req.method == "DELETE") {
      Status s = service_.AbortIncoming(seg[2]);
      return s.ok() ? Json(200, {{"aborted", seg[2]}}) : Error(s);
    }
    return method_not_allowed();
  }
  if (seg.size() >= 2 && seg[1] == "vms") {
    if (seg.size() == 2) {
      if (req.method == "GET") {
        auto vms = service_.List();
        if (!vms.ok()) return Error(vms.status());
        json arr = json::array();
        for (const auto& v : *vms) arr.push_back(ToJson(v));
        return Json(200, {{"vms", arr}});
      }
      if (req.method == "POST") {
        const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded())
          return Error(Status::InvalidArgument("deploy request: body is not valid JSON"));
        auto dr = DeployRequestFromJson(body);
        if (!dr.ok()) return Error(dr.status());
        auto vm = service_.Deploy(*dr);
        return vm.ok() ? Json(201, ToJson(*vm)) : Error(vm.status());
      }
      return method_not_allowed();
    }
    const std::string& name = seg[2];
    if (seg.size() == 3) {
      if (req.method == "GET") {
        auto vm = service_.Show(name);
        return vm.ok() ? Json(200, ToJson(*vm)) : Error(vm.status());
      }
      if (req.method == "DELETE") {
        Status s = service_.Destroy(name);
        return s.ok() ? Json(200, {{"destroyed", name}}) : Error(s);
      }
      return method_not_allowed();
    }
    if (seg.size() == 4 && (seg[3] == "recontext" || seg[3] == "migrate")) {
      if (req.method != "POST") return method_not_allowed();
      const json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
      if (!body.is_object())
        return Error(Status::InvalidArgument(seg[3] + " request: body is not a JSON object"));
      if (seg[3] == "recontext") {
        const std::string cls = body.value("class", std::string("infrastructure"));
        auto r = service_.Recontext(name, cls);
        return r.ok() ? Json(200, ToJson(*r)) : Error(r.status());
      }
      if (!body.contains("to") || !body["to"].is_string()) {
        return Error(Status::InvalidArgument("migrate request.to: missing (the destination host)"));
      }
      auto m = service_.Migrate(name, body["to"].get<std::string>());
      return m.ok() ? Json(202, ToJson(*m)) : Error(m.status());
    }
    if (seg.size() == 4 && seg[3] == "events") {
      if (req.method != "GET") return method_not_allowed();
      int limit = 100;
      if (auto it = req.query.find("limit"); it != req.query.end()) {
        const auto& v = it->second;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
        if (ec != std::errc() || p != v.data() + v.size() || limit <= 0 || limit > 10000) {
          return Error(
              Status::InvalidArgument("query parameter limit: '" + v + "' is not an integer in 1..10000"));
        }
      }
      auto ev = service_.Events(name, limit);
      if (!ev.ok()) return Error(ev.status());
      json arr = json::array();
      for (const auto& e : *ev) arr.push_back(ToJson(e));
      return Json(200, {{"events", arr}});
    }
  }
  return Error(Status::NotFound("no API route for '" + req.path + "'"));
}

}  // namespace tern::api
