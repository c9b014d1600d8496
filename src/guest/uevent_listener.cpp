#include "guest/uevent_listener.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

namespace tern::guest {

bool IsCdromUevent(std::string_view message) {
  bool block = false;
  bool cdrom = false;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\0', start);
    if (end == std::string_view::npos) end = message.size();
    const std::string_view field = message.substr(start, end - start);
    if (field == "SUBSYSTEM=block") block = true;
    if (field.starts_with("DEVNAME=sr") || field.starts_with("DEVNAME=/dev/sr")) cdrom = true;
    start = end + 1;
  }
  return block && cdrom;
}

UeventListener::UeventListener() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT));
  if (!fd.valid()) return;
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = 1;  // the kernel's broadcast group
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  socket_ = std::move(fd);
}

bool UeventListener::Wait(std::chrono::milliseconds timeout, int wake_fd) {
  std::array<pollfd, 2> fds{};
  fds[0] = {wake_fd, POLLIN, 0};
  fds[1] = {socket_.get(), POLLIN, 0};
  const int n = ::poll(fds.data(), socket_.valid() ? 2 : 1, static_cast<int>(timeout.count()));
  if (n <= 0 || !socket_.valid() || (fds[1].revents & POLLIN) == 0) return false;
  bool cdrom = false;
  std::array<char, 8192> buf{};
  for (;;) {
    const ssize_t len = ::recv(socket_.get(), buf.data(), buf.size(), 0);
    if (len < 0 && errno == EINTR) continue;
    if (len <= 0) break;
    if (IsCdromUevent(std::string_view(buf.data(), static_cast<size_t>(len)))) cdrom = true;
  }
  return cdrom;
}

}  // namespace tern::guest
