// Human-readable renderings of network views for `tern net list|show|attach`.
#pragma once

#include <string>
#include <vector>

#include "api/net_types.h"

namespace tern::api {

std::string FormatNetworkTable(const std::vector<NetworkView>& networks);
// The network as the answering host sees it: its switch, the members of the mesh, its VM ports, drops.
std::string FormatNetworkDetail(const NetworkView& network);
std::string FormatNetworkAttach(const NetworkAttachView& attach);

}  // namespace tern::api
