// EnsureSodium: initializes libsodium once per process before any key, signature or random operation.
#pragma once

#include "core/status.h"

namespace tern::federation {

// Internal error when libsodium cannot initialize (no usable random source); idempotent and thread-safe.
Status EnsureSodium();

}  // namespace tern::federation
