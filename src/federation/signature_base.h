// The signature base of HTTP Message Signatures (RFC 9421 §2.5): the exact bytes an Ed25519 signature covers,
// built from the covered components' values and the signature parameters.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "federation/http_request.h"
#include "federation/structured_fields.h"

namespace tern::federation {

// `covered` is the signature's inner list as it appears in Signature-Input (component identifiers as strings,
// then parameters); `values[i]` is the value of covered.items[i]. Produces
//   "<id>": <value>\n ... "@signature-params": <serialized covered>
// InvalidArgument on a non-string or repeated identifier, a count mismatch, or a value with CR or LF.
Result<std::string> BuildSignatureBase(const sf::InnerList& covered, const std::vector<std::string>& values);

// The value of one covered component of `request`: the derived components @method, @target-uri, @authority,
// @scheme, @path, @query and @request-target (RFC 9421 §2.2), or a header field by its lowercase name.
// InvalidArgument for an unsupported derived component, component parameters, an uppercase name or an
// absent header.
Result<std::string> ComponentValue(const HttpRequest& request, const sf::Item& id);

}  // namespace tern::federation
