#include "virt/libvirt_event_loop.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>
#include <thread>

#include "virt/libvirt_handles.h"

namespace tern::virt {
namespace {

void IgnoreLibvirtError(void* /*user_data*/, virErrorPtr /*error*/) {}

}  // namespace

Status EnsureLibvirtEventLoop() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] {
    virSetErrorFunc(nullptr, IgnoreLibvirtError);
    if (virInitialize() < 0) {
      result = LastLibvirtError("libvirt initialisation failed");
      return;
    }
    if (virEventRegisterDefaultImpl() < 0) {
      result = LastLibvirtError("cannot register libvirt's default event loop");
      return;
    }
    std::thread([] {
      for (;;) virEventRunDefaultImpl();
    }).detach();
  });
  return result;
}

}  // namespace tern::virt
