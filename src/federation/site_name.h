// Site names: the identity of a site in signatures (keyid), transfer handshakes and the trust store.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tern::federation {

// A site name is 1..63 characters of [a-z0-9-], starting with a letter or digit (a DNS label), so it can
// appear unquoted in logs, file names and structured header fields. InvalidArgument naming `what` otherwise.
Status ValidateSiteName(std::string_view name, const std::string& what);

}  // namespace tern::federation
