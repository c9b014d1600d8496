// The local control protocol of a standalone transfer proxy (tern-proxy): one JSON object per line over a
// unix socket that only the proxy's owner can open — issue a token, add a forward, query a transfer's status
// or the proxy's counters. Parsing and handling are separated from the socket for testing. ternd drives its
// proxy in-process instead. See docs/protocol.md, "tern-proxy control socket".
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "transfer/token_registry.h"
#include "transfer/transfer_proxy.h"

namespace tern::transfer {

struct IssueRequest {
  Grant grant;
  std::chrono::milliseconds ttl{60000};
};
struct ForwardRequest {
  ForwardRule rule;
};
struct StatusRequest {
  std::string token;
};
struct CountersRequest {};
using ControlRequest = std::variant<IssueRequest, ForwardRequest, StatusRequest, CountersRequest>;

// InvalidArgument naming the field for bad JSON, an unknown "op", a missing or mistyped field.
Result<ControlRequest> ParseControlRequest(std::string_view line);
// {"ok":true, ...} or {"ok":false,"error":"..."}.
nlohmann::json HandleControlRequest(const ControlRequest& request, TransferProxy& proxy,
                                    TokenRegistry& tokens);

}  // namespace tern::transfer
