// ListenAddress: parses "HOST:PORT" (IPv4, hostname or [IPv6]) as written in configs and CLI flags.
#pragma once

#include <string>

#include "core/result.h"

namespace tern::api {

struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port (tests)
};

Result<ListenAddress> ParseListenAddress(const std::string& text, const std::string& what);

}  // namespace tern::api
