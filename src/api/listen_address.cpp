#include "api/listen_address.h"

#include <charconv>

namespace tern::api {

Result<ListenAddress> ParseListenAddress(const std::string& text, const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(what + ": '" + text + "' is not HOST:PORT (" + why + ")");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("missing host or port");
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad("unclosed '['");
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  int port = -1;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return bad("port must be 0..65535");
  }
  return ListenAddress{host, port};
}

}  // namespace tern::api
