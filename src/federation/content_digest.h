// Content-Digest (RFC 9530) with sha-256: what a signed request's body must hash to.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tern::federation {

// "sha-256=:<base64 of SHA-256(body)>:"
std::string ContentDigest(std::string_view body);
// Ok when `field` (a Content-Digest dictionary) has a sha-256 member equal to the SHA-256 of `body`.
// InvalidArgument when the field cannot be parsed or has no sha-256 member; PermissionDenied on a mismatch.
Status CheckContentDigest(std::string_view field, std::string_view body);

}  // namespace tern::federation
