// HttpServer: serves a Router over HTTP on the configured address (cpp-httplib), on its own threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "api/listen_address.h"
#include "api/router.h"

namespace httplib {
class Server;
}

namespace tern::api {

class HttpServer {
 public:
  explicit HttpServer(Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds exactly the given address (port 0 picks a free port) and starts serving in the background.
  Status Start(const ListenAddress& address);
  void Stop();
  int port() const { return port_; }

 private:
  Router& router_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace tern::api
