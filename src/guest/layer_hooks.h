// Hooks shipped inside a context layer: the executables directly under the layer's `hooks/` directory are
// copied to local storage when the layer joins or changes, so they run from there (even after the layer's
// disc is gone) and a half-changed disc never runs.
#pragma once

#include <string>

#include "core/status.h"
#include "guest/layer.h"

namespace tern::guest {

// Replaces the content of `dest` by the regular files of `hooks/` in `layer` (with their permission bits).
// `dest` is swapped in whole (built beside it, then renamed): a hook runner sees the old set or the new one.
Status ExportLayerHooks(const Layer& layer, const std::string& dest);

// Removes `dest` and everything in it (ok when it does not exist).
Status ClearLayerHooks(const std::string& dest);

}  // namespace tern::guest
