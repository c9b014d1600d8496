// ControlServer / ControlCall: the unix-socket transport of tern-proxy's control protocol
// (control_protocol.h). The socket file is created with mode 0600: whoever can open it can issue tokens for
// any target in the site.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/result.h"
#include "net/unique_fd.h"

namespace tern::transfer {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const std::string& line)>;
  // Listens on `path` (replacing a stale socket file; refusing to replace anything else).
  static Result<std::unique_ptr<ControlServer>> Start(const std::string& path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  void Stop();

 private:
  ControlServer(std::string path, net::UniqueFd fd, Handler handler)
      : path_(std::move(path)), fd_(std::move(fd)), handler_(std::move(handler)) {}
  void Loop();

  std::string path_;
  net::UniqueFd fd_;
  Handler handler_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

// Sends one request and returns the response object.
Result<nlohmann::json> ControlCall(const std::string& path, const nlohmann::json& request);

}  // namespace tern::transfer
