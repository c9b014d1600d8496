#include "api/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>

namespace tern::api {

HttpServer::HttpServer(Router& router) : router_(router), server_(std::make_unique<httplib::Server>()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r{req.method, req.path, {}, req.body};
    for (const auto& [k, v] : req.params) r.query[k] = v;
    HttpResponse out = router_.Handle(r);
    res.status = out.status;
    res.set_content(out.body, "application/json");
    spdlog::debug("api {} {} -> {}", req.method, req.path, out.status);
  };
  // httplib's default also sets SO_REUSEPORT, which would let a second ternd silently share the port.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const std::string any = R"(/.*)";
  server_->Get(any, handler);
  server_->Post(any, handler);
  server_->Delete(any, handler);
  server_->Put(any, handler);
}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start(const ListenAddress& address) {
  if (address.port == 0) {
    port_ = server_->bind_to_any_port(address.host);
    if (port_ <= 0) return Status::Unavailable("api: cannot bind " + address.host + ":0");
  } else {
    if (!server_->bind_to_port(address.host, address.port)) {
      return Status::Unavailable("api: cannot bind " + address.host + ":" + std::to_string(address.port) +
                                 " (in use, or not an address of this host)");
    }
    port_ = address.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is only honoured once the accept loop runs; wait for it so that Start/Stop never race.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tern::api
