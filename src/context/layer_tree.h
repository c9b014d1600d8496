// The file tree of one context layer (metadata, key-values, files, optional NoCloud seed) as a sorted list of
// regular files; the ISO builder writes it out, and tests can inspect it without building an image.
#pragma once

#include <string>
#include <vector>

#include "context/layer_metadata.h"
#include "context/types.h"
#include "core/result.h"

namespace tern::context {

inline constexpr const char* kLayerMetadataPath = ".tern/layer.json";
inline constexpr const char* kContextDir = "context";
inline constexpr const char* kValuesDir = "context/values";

struct IsoOptions {
  bool cloud_init_seed = false;  // also a NoCloud seed: label "cidata", meta-data, user-data, network-config
  std::string instance_id;       // required when cloud_init_seed
  std::string hostname;          // optional local-hostname
  CloudInit cloud_init;
};

struct LayerEntry {
  std::string path;  // relative to the image root, '/'-separated
  std::string content;
  int mode = 0644;
};

// Validates the class (name, keys, paths, modes, no conflicts) and lists every file of its layer, sorted by
// path. meta.class_name / meta.priority: when class_name is empty both are taken from `cls`, otherwise both
// must match it.
Result<std::vector<LayerEntry>> RenderLayerTree(const ContextClass& cls, const LayerMetadata& meta,
                                                const IsoOptions& opts);

}  // namespace tern::context
