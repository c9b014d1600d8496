// The control socket of a running union: one JSON request per connection on a unix stream socket, one JSON
// line back. Used by `tern-guest layer ...` and `tern-guest status`.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/result.h"
#include "guest/unique_fd.h"

namespace tern::guest {

inline constexpr const char* kDefaultControlSocket = "/run/tern/guest.sock";

using ControlHandler = std::function<nlohmann::json(const nlohmann::json& request)>;

class ControlServer {
 public:
  // Binds `socket_path` (a stale socket file is replaced) and serves requests on a background thread.
  static Result<std::unique_ptr<ControlServer>> Start(const std::string& socket_path, ControlHandler handler);
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer();

 private:
  ControlServer() = default;
  void Serve();
  std::string path_;
  ControlHandler handler_;
  UniqueFd listen_fd_;
  std::thread thread_;
};

// Sends one request and returns the reply. Errors: Unavailable when nothing listens at socket_path; the
// reply's "error" (as FailedPrecondition) when it has "ok": false.
Result<nlohmann::json> ControlRequest(const std::string& socket_path, const nlohmann::json& request);

}  // namespace tern::guest
