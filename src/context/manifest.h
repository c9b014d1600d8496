// The VM owner's manifest (YAML): a VM descriptor and its context classes. Format: docs/manifest.md.
#pragma once

#include <string>

#include "context/class_parser.h"
#include "context/names.h"
#include "context/types.h"
#include "core/result.h"

namespace tern::context {

// Reads and parses the file; relative paths in it resolve against its directory. Manifest::source is the
// file's absolute path; error messages name the path as given.
Result<Manifest> ParseManifestFile(const std::string& path);

// Parses manifest text. `source_name` prefixes error messages and becomes Manifest::source; relative paths in
// the manifest resolve against `base_dir`. All errors are InvalidArgument: "<source>: <field path>:
// <problem>".
Result<Manifest> ParseManifestText(const std::string& text, const std::string& source_name,
                                   const std::string& base_dir);

}  // namespace tern::context
