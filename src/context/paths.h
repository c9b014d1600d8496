// Resolution of the file paths a manifest names (disks, kernels, context file sources) against its directory
// (internal to the context module).
#pragma once

#include <string>

#include "core/result.h"

namespace tern::context {

// `written` as an absolute, lexically normalized path: relative paths resolve against `base_dir` (itself made
// absolute against the working directory).
std::string ResolvePath(const std::string& base_dir, const std::string& written);

// Ok when `resolved` is an existing regular file (symlinks followed); otherwise an InvalidArgument naming
// "<source>: <field>: file '<written>' does not exist (<resolved>)" or "... is not a regular file ...".
Status CheckRegularFile(const std::string& source, const std::string& field, const std::string& written,
                        const std::string& resolved);

}  // namespace tern::context
