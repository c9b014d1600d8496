// Base64 (RFC 4648, with padding) for carrying binary payloads such as context images in JSON.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tern {

std::string Base64Encode(std::string_view bytes);
// InvalidArgument naming `what` on a character outside the alphabet or a bad length.
Result<std::string> Base64Decode(std::string_view text, const std::string& what);

}  // namespace tern
