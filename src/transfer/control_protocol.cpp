#include "transfer/control_protocol.h"

namespace tern::transfer {

namespace {

using nlohmann::json;

Result<std::string> Text(const json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_string()) {
    return Status::InvalidArgument(std::string("control request: '") + field + "' must be a string");
  }
  return j[field].get<std::string>();
}

Result<int64_t> Integer(const json& j, const char* field, int64_t fallback) {
  if (!j.contains(field)) return fallback;
  if (!j[field].is_number_integer()) {
    return Status::InvalidArgument(std::string("control request: '") + field + "' must be an integer");
  }
  return j[field].get<int64_t>();
}

Result<net::Endpoint> Address(const json& j, const char* field) {
  TERN_ASSIGN_OR_RETURN(const std::string text, Text(j, field));
  auto ep = net::Endpoint::Parse(text);
  if (!ep.ok())
    return Status::InvalidArgument(std::string("control request: '") + field + "' is not IP:PORT");
  return *ep;
}

json Error(const Status& s) {
  return json{{"ok", false}, {"error", s.message()}};
}

}  // namespace

Result<ControlRequest> ParseControlRequest(std::string_view line) {
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::InvalidArgument("control request is not a JSON object");
  TERN_ASSIGN_OR_RETURN(const std::string op, Text(j, "op"));
  if (op == "issue") {
    IssueRequest r;
    TERN_ASSIGN_OR_RETURN(r.grant.vm_id, Text(j, "vm"));
    TERN_ASSIGN_OR_RETURN(const std::string direction, Text(j, "direction"));
    TERN_ASSIGN_OR_RETURN(r.grant.direction, ParseDirection(direction));
    TERN_ASSIGN_OR_RETURN(r.grant.peer_site, Text(j, "peer"));
    TERN_ASSIGN_OR_RETURN(const std::string kind, Text(j, "kind"));
    TERN_ASSIGN_OR_RETURN(r.grant.kind, ParseGrantKind(kind));
    TERN_ASSIGN_OR_RETURN(r.grant.target, Text(j, "target"));
    TERN_ASSIGN_OR_RETURN(const int64_t connections, Integer(j, "connections", 1));
    if (connections < 1 || connections > 64)
      return Status::InvalidArgument("control request: connections must be 1..64");
    r.grant.connections = static_cast<uint32_t>(connections);
    TERN_ASSIGN_OR_RETURN(const int64_t ttl_ms, Integer(j, "ttl_ms", 60000));
    if (ttl_ms < 1 || ttl_ms > 24 * 3600 * 1000)
      return Status::InvalidArgument("control request: ttl_ms must be 1..86400000");
    r.ttl = std::chrono::milliseconds(ttl_ms);
    TERN_RETURN_IF_ERROR(ValidateGrant(r.grant));
    return ControlRequest(r);
  }
  if (op == "forward") {
    ForwardRequest r;
    TERN_ASSIGN_OR_RETURN(r.rule.listen, Address(j, "listen"));
    TERN_ASSIGN_OR_RETURN(r.rule.remote, Address(j, "remote"));
    TERN_ASSIGN_OR_RETURN(r.rule.remote_site, Text(j, "site"));
    TERN_ASSIGN_OR_RETURN(r.rule.token, Text(j, "token"));
    return ControlRequest(r);
  }
  if (op == "status") {
    StatusRequest r;
    TERN_ASSIGN_OR_RETURN(r.token, Text(j, "token"));
    return ControlRequest(r);
  }
  if (op == "counters") return ControlRequest(CountersRequest{});
  return Status::InvalidArgument("control request: unknown op '" + op +
                                 "' (issue, forward, status, counters)");
}

json HandleControlRequest(const ControlRequest& request, TransferProxy& proxy, TokenRegistry& tokens) {
  if (const auto* issue = std::get_if<IssueRequest>(&request)) {
    auto token = tokens.Issue(issue->grant, issue->ttl, Clock::now());
    if (!token.ok()) return Error(token.status());
    return json{{"ok", true}, {"token", *token}};
  }
  if (const auto* forward = std::get_if<ForwardRequest>(&request)) {
    auto bound = proxy.AddForward(forward->rule);
    if (!bound.ok()) return Error(bound.status());
    return json{{"ok", true}, {"listen", bound->ToString()}};
  }
  if (const auto* status = std::get_if<StatusRequest>(&request)) {
    auto s = tokens.StatusOf(status->token, Clock::now());
    if (!s.ok()) return Error(s.status());
    return json{{"ok", true},
                {"state", TransferStateName(s->state)},
                {"detail", s->detail},
                {"vm", s->grant.vm_id},
                {"peer", s->grant.peer_site},
                {"kind", GrantKindName(s->grant.kind)},
                {"connections_opened", s->connections_opened},
                {"connections_open", s->connections_open},
                {"payload_bytes", s->payload_bytes},
                {"wire_bytes", s->wire_bytes}};
  }
  const ProxyCounters c = proxy.counters();
  return json{{"ok", true},
              {"channels_accepted", c.channels_accepted},
              {"channels_refused", c.channels_refused},
              {"channels_dialed", c.channels_dialed},
              {"dial_failures", c.dial_failures},
              {"over_limit", c.over_limit},
              {"transfers_ok", c.transfers_ok},
              {"transfers_failed", c.transfers_failed},
              {"payload_bytes", c.payload_bytes},
              {"wire_bytes", c.wire_bytes}};
}

}  // namespace tern::transfer
