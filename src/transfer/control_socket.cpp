#include "transfer/control_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transfer/tcp.h"

namespace tern::transfer {

namespace {

constexpr size_t kMaxLine = 64 * 1024;

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path)
    return Status::InvalidArgument("control socket path '" + path + "' is too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return sa;
}

Result<std::string> ReadLine(int fd) {
  std::string line;
  char c = 0;
  while (line.size() < kMaxLine) {
    const ssize_t n = ::recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') return line;
    line += c;
  }
  if (line.empty()) return Status::Unavailable("control socket: no response");
  return line;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Start(const std::string& path, Handler handler) {
  TERN_ASSIGN_OR_RETURN(const sockaddr_un sa, UnixAddress(path));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::AlreadyExists("control socket path '" + path + "' exists and is not a socket");
    }
    ::unlink(path.c_str());
  }
  net::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError(std::string("control socket: ") + std::strerror(errno));
  const mode_t old = ::umask(077);
  const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  ::umask(old);
  if (rc != 0) return Status::IoError("control socket '" + path + "': bind: " + std::strerror(errno));
  if (::listen(fd.get(), 16) != 0)
    return Status::IoError("control socket '" + path + "': listen: " + std::strerror(errno));
  std::unique_ptr<ControlServer> server(new ControlServer(path, std::move(fd), std::move(handler)));
  server->thread_ = std::thread([s = server.get()] { s->Loop(); });
  return server;
}

ControlServer::~ControlServer() {
  Stop();
}

void ControlServer::Stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(fd_.get(), SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::unlink(path_.c_str());
}

void ControlServer::Loop() {
  while (!stopping_) {
    const int c = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    net::UniqueFd conn(c);
    SetIoTimeout(c, std::chrono::milliseconds(5000));
    auto line = ReadLine(c);
    if (!line.ok()) continue;
    const std::string response = handler_(*line).dump() + "\n";
    (void)WriteAll(c, std::span(reinterpret_cast<const uint8_t*>(response.data()), response.size()));
  }
}

Result<nlohmann::json> ControlCall(const std::string& path, const nlohmann::json& request) {
  TERN_ASSIGN_OR_RETURN(const sockaddr_un sa, UnixAddress(path));
  net::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::IoError(std::string("control socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    return Status::Unavailable("cannot reach the proxy's control socket '" + path +
                               "': " + std::strerror(errno));
  }
  SetIoTimeout(fd.get(), std::chrono::milliseconds(30000));
  const std::string line = request.dump() + "\n";
  TERN_RETURN_IF_ERROR(
      WriteAll(fd.get(), std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size())));
  TERN_ASSIGN_OR_RETURN(const std::string response, ReadLine(fd.get()));
  auto j = nlohmann::json::parse(response, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Internal("control socket: the response is not JSON");
  return j;
}

}  // namespace tern::transfer
