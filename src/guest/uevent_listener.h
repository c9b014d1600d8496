// UeventListener: the kernel's device events (NETLINK_KOBJECT_UEVENT), used to scan the CD-ROM drives at once
// when one is plugged, unplugged or reports a media change, instead of at the next poll.
#pragma once

#include <chrono>
#include <string_view>

#include "guest/unique_fd.h"

namespace tern::guest {

class UeventListener {
 public:
  UeventListener();  // without the socket (no permission, no netlink) Wait only waits
  bool listening() const { return socket_.valid(); }
  // Waits until an event about a CD-ROM drive arrives, `wake_fd` becomes readable or `timeout` passes.
  // True when a CD-ROM event arrived.
  bool Wait(std::chrono::milliseconds timeout, int wake_fd);

 private:
  UniqueFd socket_;
};

// True when a raw uevent message ("action@devpath\0KEY=VALUE\0...") is about a block device named sr*.
bool IsCdromUevent(std::string_view message);

}  // namespace tern::guest
