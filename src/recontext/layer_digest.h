// LayerDigest: a stable fingerprint of what a context class puts in a layer (its files and values, and where
// it comes from), independent of the generation. Two hosts agree on it, so "is this VM's layer what this host
// gives?" is a string comparison.
#pragma once

#include <string>

#include "context/types.h"
#include "core/result.h"

namespace tern::recontext {

// 16 hex digits (FNV-1a 64 over the rendered layer tree without generation-dependent files).
Result<std::string> LayerDigest(const context::ContextClass& cls, const std::string& origin);

}  // namespace tern::recontext
