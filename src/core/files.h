// Small file-system helpers returning Status values (the Env seam for plain file I/O).
#pragma once

#include <string>

#include "core/result.h"

namespace tern {

Result<std::string> ReadFile(const std::string& path);
// Writes to a temporary file in the same directory and renames it over `path`, so readers never see a partial
// file.
Status WriteFileAtomic(const std::string& path, std::string_view content);
Status MakeDirs(const std::string& path);
Status RemoveFile(const std::string& path);  // ok when the file does not exist
bool FileExists(const std::string& path);

}  // namespace tern
