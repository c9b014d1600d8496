#include "daemon/udp_port_pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tern::daemon {

Result<std::pair<int, int>> PickPortPair(const PortRange& range, const std::set<int>& used,
                                         const std::function<bool(int)>& is_free) {
  int picked[2] = {0, 0};
  int n = 0;
  for (int p = range.first; p <= range.last && n < 2; ++p) {
    if (used.count(p) == 0 && is_free(p)) picked[n++] = p;
  }
  if (n < 2) {
    return Status::Unavailable("no two free UDP ports left in switch.vm_ports " + range.ToString() + " (" +
                               std::to_string(used.size()) + " in use by VM NICs)");
  }
  return std::pair{picked[0], picked[1]};
}

bool UdpPortIsFree(int port, const std::string& address) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    ::close(fd);
    return false;
  }
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

}  // namespace tern::daemon
