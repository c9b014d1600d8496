// Builds the ISO 9660 image (Joliet + Rock Ridge, in process with libisofs) of one context layer. Layout,
// labels and determinism: docs/context-iso.md.
#pragma once

#include <string>

#include "context/layer_metadata.h"
#include "context/layer_tree.h"
#include "context/types.h"
#include "core/result.h"

namespace tern::context {

// Every timestamp in the image (files, directories, volume descriptors): 2000-01-01T00:00:00Z.
inline constexpr long kLayerIsoTimestamp = 946684800;

// "cidata" when cloud_init_seed, else "TERN_" + the class name uppercased with every character outside
// [A-Z0-9_] replaced by '_', cut to 32 characters.
std::string LayerVolumeLabel(const std::string& class_name, bool cloud_init_seed);

// The image bytes of one class's layer. Same input => byte-identical output.
Result<std::string> BuildLayerIso(const ContextClass& cls, const LayerMetadata& meta, const IsoOptions& opts);

// BuildLayerIso, then an atomic write (temporary file in the same directory + rename): readers of out_path
// see the old image or the new one, never a partial one. The directory must exist.
Status WriteLayerIso(const ContextClass& cls, const LayerMetadata& meta, const IsoOptions& opts,
                     const std::string& out_path);

}  // namespace tern::context
