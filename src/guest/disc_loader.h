// DiscLoader: mounts the disc in a drive read-only and reads its tern layer metadata (the ISO 9660 loader in
// the agent, prepared directories in tests).
#pragma once

#include <string>

#include "context/layer_metadata.h"
#include "core/result.h"

namespace tern::guest {

struct LoadedDisc {
  std::string drive;      // "sr0"
  std::string mount_dir;  // where the disc is mounted
  std::string layer_dir;  // the tree it contributes to the union (its context/ directory)
  context::LayerMetadata meta;
};

class DiscLoader {
 public:
  virtual ~DiscLoader() = default;
  // Errors: the disc cannot be mounted (corrupt, foreign file system, gone) or carries no valid tern layer
  // metadata; nothing stays mounted then.
  virtual Result<LoadedDisc> Load(const std::string& drive) = 0;
  // The disc's layer joined the union: LAYERS_DIR/<class> now names this disc.
  virtual void Publish(const LoadedDisc& disc) = 0;
  // The disc's layer left the union (or never joined): unmount it.
  virtual void Unload(const LoadedDisc& disc) = 0;
};

}  // namespace tern::guest
