// Structured Field Values for HTTP (RFC 8941): the subset that HTTP Message Signatures (RFC 9421) and
// Content-Digest (RFC 9530) use — dictionaries whose members are items or inner lists, with parameters; bare
// items are integers, strings, tokens, byte sequences and booleans (decimals are refused).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"

namespace tern::federation::sf {

struct Token {
  std::string value;
  friend bool operator==(const Token&, const Token&) = default;
};
struct ByteSequence {
  std::string bytes;  // decoded
  friend bool operator==(const ByteSequence&, const ByteSequence&) = default;
};
using BareItem = std::variant<int64_t, std::string, Token, ByteSequence, bool>;

using Parameters = std::vector<std::pair<std::string, BareItem>>;  // in order, keys unique

struct Item {
  BareItem value;
  Parameters params;
};
struct InnerList {
  std::vector<Item> items;
  Parameters params;
};
using Member = std::variant<Item, InnerList>;
using Dictionary = std::vector<std::pair<std::string, Member>>;  // in order, keys unique

// Parses a Dictionary field value (several field lines already joined with ", "). InvalidArgument naming
// `what` and the offset of the first error.
Result<Dictionary> ParseDictionary(std::string_view text, const std::string& what);

// Serializations (RFC 8941 §4.1). A string must hold only printable ASCII; callers validate before.
std::string SerializeBareItem(const BareItem& item);
std::string SerializeParameters(const Parameters& params);
std::string SerializeItem(const Item& item);
std::string SerializeInnerList(const InnerList& list);
std::string SerializeDictionary(const Dictionary& dict);

// Convenience lookups; nullptr / nullopt when absent.
const Member* FindMember(const Dictionary& dict, std::string_view key);
const BareItem* FindParam(const Parameters& params, std::string_view key);

}  // namespace tern::federation::sf
