#include "transfer/transfer_token.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "federation/site_name.h"
#include "federation/sodium_init.h"
#include "net/endpoint.h"

namespace tern::transfer {

namespace {

constexpr std::string_view kTokenPrefix = "tt1-";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string_view DirectionName(Direction d) {
  return d == Direction::kSource ? "source" : "destination";
}

Result<Direction> ParseDirection(std::string_view text) {
  if (text == "source") return Direction::kSource;
  if (text == "destination") return Direction::kDestination;
  return Status::InvalidArgument("direction '" + std::string(text) +
                                 "' is neither 'source' nor 'destination'");
}

std::string_view GrantKindName(GrantKind k) {
  switch (k) {
    case GrantKind::kConnect:
      return "connect";
    case GrantKind::kReceiveFile:
      return "receive-file";
    case GrantKind::kSendFile:
      return "send-file";
  }
  return "unknown";
}

Result<GrantKind> ParseGrantKind(std::string_view text) {
  if (text == "connect") return GrantKind::kConnect;
  if (text == "receive-file") return GrantKind::kReceiveFile;
  if (text == "send-file") return GrantKind::kSendFile;
  return Status::InvalidArgument("grant kind '" + std::string(text) +
                                 "' is not one of connect, receive-file, send-file");
}

Status ValidateGrant(const Grant& g) {
  if (g.vm_id.empty() || g.vm_id.size() > 128 || !std::all_of(g.vm_id.begin(), g.vm_id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      })) {
    return Status::InvalidArgument("grant: VM id '" + g.vm_id +
                                   "' must be 1..128 characters of [A-Za-z0-9._-]");
  }
  TERN_RETURN_IF_ERROR(federation::ValidateSiteName(g.peer_site, "grant peer site"));
  if (g.connections < 1 || g.connections > 64) {
    return Status::InvalidArgument("grant: connections must be 1..64, not " + std::to_string(g.connections));
  }
  switch (g.kind) {
    case GrantKind::kConnect: {
      auto ep = net::Endpoint::Parse(g.target);
      if (!ep.ok() || ep->port == 0) {
        return Status::InvalidArgument("grant: connect target '" + g.target + "' is not IP:PORT");
      }
      break;
    }
    case GrantKind::kReceiveFile:
    case GrantKind::kSendFile:
      if (g.target.empty() || g.target.front() != '/' || g.target.find("/../") != std::string::npos ||
          g.target.ends_with("/..") || g.target.ends_with("/")) {
        return Status::InvalidArgument("grant: file target '" + g.target + "' must be an absolute file path");
      }
      if (g.kind == GrantKind::kReceiveFile && g.direction != Direction::kDestination) {
        return Status::InvalidArgument("grant: receive-file is a destination grant");
      }
      if (g.kind == GrantKind::kSendFile && g.direction != Direction::kSource) {
        return Status::InvalidArgument("grant: send-file is a source grant");
      }
      if (g.connections != 1) return Status::InvalidArgument("grant: a file transfer uses one connection");
      break;
  }
  return Status::Ok();
}

TokenSecret TokenSecret::Random() {
  if (!federation::EnsureSodium().ok()) throw std::runtime_error("libsodium cannot initialize");
  TokenSecret t;
  randombytes_buf(t.selector.data(), t.selector.size());
  randombytes_buf(t.verifier.data(), t.verifier.size());
  return t;
}

std::string TokenSecret::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kTokenPrefix);
  for (const auto* part : {&selector, &verifier}) {
    for (const uint8_t b : *part) {
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

Result<TokenSecret> TokenSecret::Parse(std::string_view text) {
  const auto bad =
      Status::InvalidArgument("malformed transfer token (expected tt1- and 64 lowercase hex digits)");
  if (!text.starts_with(kTokenPrefix) || text.size() != kTokenPrefix.size() + 4 * kTokenPartSize) return bad;
  text.remove_prefix(kTokenPrefix.size());
  TokenSecret t;
  for (size_t i = 0; i < 2 * kTokenPartSize; ++i) {
    const int hi = HexValue(text[2 * i]);
    const int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad;
    const auto byte = static_cast<uint8_t>(hi << 4 | lo);
    if (i < kTokenPartSize) {
      t.selector[i] = byte;
    } else {
      t.verifier[i - kTokenPartSize] = byte;
    }
  }
  return t;
}

}  // namespace tern::transfer
