// IsoDiscLoader: mounts a drive's disc read-only as ISO 9660 (through a loop device of its own) under
// LAYERS_DIR/.discs/<drive>-<n>, reads its /.tern/layer.json, and keeps LAYERS_DIR/<class> (a symlink)
// pointing at the current disc of each class.
#pragma once

#include <string>

#include "guest/disc_loader.h"

namespace tern::guest {

class IsoDiscLoader : public DiscLoader {
 public:
  IsoDiscLoader(std::string layers_dir, std::string dev_dir);
  Result<LoadedDisc> Load(const std::string& drive) override;
  void Publish(const LoadedDisc& disc) override;
  void Unload(const LoadedDisc& disc) override;

 private:
  std::string layers_dir_;
  std::string dev_dir_;
  uint64_t counter_ = 0;
  bool warned_no_loop_ = false;
};

}  // namespace tern::guest
