// Reads an ISO 9660 image back (volume label, files, modes, extensions present) with libisofs' reader; used
// by tests and by `tern` diagnostics.
#pragma once

#include <map>
#include <string>

#include "core/result.h"

namespace tern::context {

struct IsoContents {
  std::string volume_id;
  std::map<std::string, std::string> files;  // path without leading '/' -> content (regular files only)
  std::map<std::string, int> modes;          // permission bits of every file and directory (no trailing '/')
  bool rock_ridge = false;                   // the image has Rock Ridge extensions
  bool joliet = false;                       // the image has a Joliet tree
  bool root_owned = true;                    // every node has uid 0 and gid 0
};

// Which directory tree to read names and attributes from.
enum class IsoTree {
  kRockRidge,  // the default: ISO 9660 + Rock Ridge (falls back to plain ISO 9660 if there is none)
  kJoliet,     // the Joliet tree (Windows' view); modes are libisofs' defaults
  kIso9660,    // the bare ISO 9660 tree: mangled upper-case names
};

// Errors: InvalidArgument when the bytes are not an ISO 9660 image.
Result<IsoContents> ReadIso(const std::string& image_bytes, IsoTree tree = IsoTree::kRockRidge);

}  // namespace tern::context
