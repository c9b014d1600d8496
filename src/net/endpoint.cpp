#include "net/endpoint.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tern::net {

Result<Endpoint> Endpoint::Parse(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("endpoint '" + std::string(text) + "': expected [IPV6]:PORT");
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("endpoint '" + std::string(text) + "': expected ADDR:PORT");
    }
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("endpoint '" + std::string(text) + "': bad port '" +
                                   std::string(port_text) + "'");
  }
  Endpoint e;
  e.port = static_cast<uint16_t>(port);
  if (::inet_pton(AF_INET, host.c_str(), e.addr.data()) == 1) {
    e.family = 4;
  } else if (::inet_pton(AF_INET6, host.c_str(), e.addr.data()) == 1) {
    e.family = 6;
  } else {
    return Status::InvalidArgument("endpoint '" + std::string(text) + "': '" + host +
                                   "' is not an IPv4 or IPv6 address");
  }
  return e;
}

Endpoint Endpoint::FromSockaddr(const sockaddr_storage& sa) {
  Endpoint e;
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    e.family = 4;
    std::memcpy(e.addr.data(), &in->sin_addr, 4);
    e.port = ntohs(in->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    e.family = 6;
    std::memcpy(e.addr.data(), &in6->sin6_addr, 16);
    e.port = ntohs(in6->sin6_port);
  }
  return e;
}

Endpoint Endpoint::V4(uint32_t host_order_addr, uint16_t port) {
  Endpoint e;
  e.family = 4;
  const uint32_t n = htonl(host_order_addr);
  std::memcpy(e.addr.data(), &n, 4);
  e.port = port;
  return e;
}

socklen_t Endpoint::ToSockaddr(sockaddr_storage& sa) const {
  std::memset(&sa, 0, sizeof sa);
  if (family == 6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, addr.data(), 16);
    in6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(&sa);
  in->sin_family = AF_INET;
  std::memcpy(&in->sin_addr, addr.data(), 4);
  in->sin_port = htons(port);
  return sizeof(sockaddr_in);
}

std::string Endpoint::ToString() const {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (family == 6) {
    ::inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port);
  }
  if (family == 4) ::inet_ntop(AF_INET, addr.data(), buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(port);
}

}  // namespace tern::net
