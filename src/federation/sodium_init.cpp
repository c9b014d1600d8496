#include "federation/sodium_init.h"

#include <sodium.h>

namespace tern::federation {

Status EnsureSodium() {
  // sodium_init is itself thread-safe and returns 1 when already initialized.
  static const int rc = sodium_init();
  if (rc < 0) return Status::Internal("libsodium: sodium_init failed (no usable random source)");
  return Status::Ok();
}

}  // namespace tern::federation
