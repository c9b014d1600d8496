// The metadata file each context layer carries (.tern/layer.json): which class, priority and generation the
// image holds and where it came from. Rendered as compact one-line JSON with a format version.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace tern::context {

inline constexpr int kLayerMetadataFormat = 1;

struct LayerMetadata {
  std::string class_name;
  int priority = 0;
  uint64_t generation = 0;
  std::string origin;  // e.g. "manifest:/path/web.yaml" or "host:h1"
};

// {"class":"service","generation":3,"origin":"manifest:/m/web.yaml","priority":10,"format":1} (no newline).
std::string RenderLayerMetadataJson(const LayerMetadata& meta);

// Accepts what RenderLayerMetadataJson writes (surrounding whitespace and unknown keys are ignored, so newer
// writers may add fields); "format" must be 1. Errors are InvalidArgument naming `source_name`.
Result<LayerMetadata> ParseLayerMetadataJson(const std::string& json, const std::string& source_name);

}  // namespace tern::context
