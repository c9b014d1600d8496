// The shared TempDir (tests/common/temp_dir.h) under this module's test namespace.
#pragma once

#include "../common/temp_dir.h"

namespace tern::daemon::testing {
using ::tern::testing::TempDir;
}  // namespace tern::daemon::testing
