#include "context/iso_handles.h"

#include <cstdlib>
#include <mutex>

namespace tern::context::iso {

void BurnSourceDeleter::operator()(burn_source* p) const {
  if (p->version >= 1 && p->cancel != nullptr) p->cancel(p);  // a no-op when the image was consumed
  p->free_data(p);
  std::free(p);  // allocated by libisofs with calloc
}

Status EnsureInitialized() {
  static std::once_flag once;
  static int result = 0;
  std::call_once(once, [] {
    result = iso_init_with_flag(1);  // bit0: leave the process locale alone
    if (result >= 0) {
      char utf8[] = "UTF-8";
      iso_set_local_charset(utf8, 0);
    }
  });
  if (result < 0) return Error("iso_init", result);
  return Status::Ok();
}

Status Error(const std::string& what, int code) {
  const char* text = iso_error_to_msg(code);
  return Status::Internal("libisofs: " + what + ": " +
                          (text != nullptr ? text : "error " + std::to_string(code)));
}

}  // namespace tern::context::iso
