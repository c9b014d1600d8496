// LayerSink: where the media watcher puts the layers it finds (the served union in the agent, a recorder in
// tests).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "guest/layer.h"
#include "guest/layer_stack.h"

namespace tern::guest {

class LayerSink {
 public:
  virtual ~LayerSink() = default;
  virtual Result<LayerChange> AddLayer(std::shared_ptr<const Layer> layer) = 0;
  virtual Result<LayerChange> ReplaceLayer(std::shared_ptr<const Layer> layer) = 0;
  virtual Result<LayerChange> RemoveLayer(const std::string& name) = 0;
  virtual bool HasLayer(const std::string& name) = 0;
};

}  // namespace tern::guest
