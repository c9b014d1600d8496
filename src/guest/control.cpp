#include "guest/control.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "guest/log.h"

namespace tern::guest {
namespace {

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument("control socket '" + path + "': path too long");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string ReadLine(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.find('\n') != std::string::npos) break;
    if (out.size() > (1U << 20)) break;
  }
  if (const size_t nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
  return out;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Start(const std::string& socket_path,
                                                            ControlHandler handler) {
  TERN_ASSIGN_OR_RETURN(sockaddr_un addr, Address(socket_path));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError("control socket '" + socket_path + "': " + std::strerror(errno));
  ::unlink(socket_path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd.get(), 16) != 0) {
    return Status::IoError("control socket '" + socket_path + "': cannot listen: " + std::strerror(errno));
  }
  auto s = std::unique_ptr<ControlServer>(new ControlServer());  // private constructor
  s->path_ = socket_path;
  s->handler_ = std::move(handler);
  s->listen_fd_ = std::move(fd);
  s->thread_ = std::thread([p = s.get()] { p->Serve(); });
  return s;
}

ControlServer::~ControlServer() {
  ::shutdown(listen_fd_.get(), SHUT_RDWR);  // wakes accept()
  if (thread_.joinable()) thread_.join();
  ::unlink(path_.c_str());
}

void ControlServer::Serve() {
  for (;;) {
    UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    const std::string line = ReadLine(conn.get());
    nlohmann::json reply;
    const nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded() || !request.is_object()) {
      reply = {{"ok", false}, {"error", "control request is not a JSON object"}};
    } else {
      reply = handler_(request);
    }
    if (!WriteAll(conn.get(), reply.dump() + "\n")) LogWarn("control socket '" + path_ + "': reply not sent");
  }
}

Result<nlohmann::json> ControlRequest(const std::string& socket_path, const nlohmann::json& request) {
  TERN_ASSIGN_OR_RETURN(sockaddr_un addr, Address(socket_path));
  const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError("control socket '" + socket_path + "': " + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::Unavailable("control socket '" + socket_path +
                               "': cannot connect (is tern-guest running?): " + std::strerror(errno));
  }
  if (!WriteAll(fd.get(), request.dump() + "\n")) {
    return Status::IoError("control socket '" + socket_path + "': cannot send the request");
  }
  const std::string line = ReadLine(fd.get());
  nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    return Status::Internal("control socket '" + socket_path + "': malformed reply '" + line + "'");
  }
  if (!reply.value("ok", false))
    return Status::FailedPrecondition(reply.value("error", std::string("failed")));
  return reply;
}

}  // namespace tern::guest
