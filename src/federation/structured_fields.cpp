#include "federation/structured_fields.h"

#include <cctype>

#include "core/base64.h"

namespace tern::federation::sf {

namespace {

bool IsLcalpha(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// RFC 9110 tchar, plus ':' and '/' which RFC 8941 allows in tokens.
bool IsTokenChar(char c) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~:/";
  return IsAlpha(c) || IsDigit(c) || kExtra.find(c) != std::string_view::npos;
}

// A recursive-descent parser over one field value, following the algorithms of RFC 8941 §4.2.
class Parser {
 public:
  Parser(std::string_view text, const std::string& what) : s_(text), what_(what) {}

  Result<sf::Dictionary> ParseDict() {
    sf::Dictionary dict;
    SkipSp();
    while (!AtEnd()) {
      TERN_ASSIGN_OR_RETURN(std::string key, Key());
      Member member;
      if (Peek() == '=') {
        ++pos_;
        TERN_ASSIGN_OR_RETURN(member, ItemOrInnerList());
      } else {
        TERN_ASSIGN_OR_RETURN(Parameters params, Params());
        member = Item{true, std::move(params)};
      }
      Set(dict, std::move(key), std::move(member));
      SkipOws();
      if (AtEnd()) return dict;
      if (Peek() != ',') return Error("expected ',' between dictionary members");
      ++pos_;
      SkipOws();
      if (AtEnd()) return Error("trailing ',' at the end of the dictionary");
    }
    return dict;
  }

 private:
  template <typename T>
  static void Set(std::vector<std::pair<std::string, T>>& list, std::string key, T value) {
    for (auto& [k, v] : list) {
      if (k == key) {  // a repeated key overrides the earlier value in place (RFC 8941 §4.2.2)
        v = std::move(value);
        return;
      }
    }
    list.emplace_back(std::move(key), std::move(value));
  }

  Status Error(const std::string& why) const {
    return Status::InvalidArgument(what_ + ": " + why + " at offset " + std::to_string(pos_));
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void SkipSp() {
    while (!AtEnd() && s_[pos_] == ' ') ++pos_;
  }
  void SkipOws() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }

  Result<Member> ItemOrInnerList() {
    if (Peek() == '(') {
      TERN_ASSIGN_OR_RETURN(InnerList list, ParseInnerList());
      return Member(std::move(list));
    }
    TERN_ASSIGN_OR_RETURN(Item item, ParseItem());
    return Member(std::move(item));
  }

  Result<InnerList> ParseInnerList() {
    ++pos_;  // '('
    InnerList list;
    while (!AtEnd()) {
      SkipSp();
      if (Peek() == ')') {
        ++pos_;
        TERN_ASSIGN_OR_RETURN(list.params, Params());
        return list;
      }
      TERN_ASSIGN_OR_RETURN(Item item, ParseItem());
      list.items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') return Error("expected ' ' or ')' in an inner list");
    }
    return Error("unterminated inner list");
  }

  Result<Item> ParseItem() {
    TERN_ASSIGN_OR_RETURN(BareItem value, Bare());
    TERN_ASSIGN_OR_RETURN(Parameters params, Params());
    return Item{std::move(value), std::move(params)};
  }

  Result<Parameters> Params() {
    Parameters params;
    while (Peek() == ';') {
      ++pos_;
      SkipSp();
      TERN_ASSIGN_OR_RETURN(std::string key, Key());
      BareItem value = true;
      if (Peek() == '=') {
        ++pos_;
        TERN_ASSIGN_OR_RETURN(value, Bare());
      }
      Set(params, std::move(key), std::move(value));
    }
    return params;
  }

  Result<std::string> Key() {
    if (!(IsLcalpha(Peek()) || Peek() == '*'))
      return Error("a key must start with a lowercase letter or '*'");
    const size_t start = pos_;
    while (!AtEnd()) {
      const char c = s_[pos_];
      if (!(IsLcalpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' || c == '*')) break;
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  Result<BareItem> Bare() {
    const char c = Peek();
    if (c == '-' || IsDigit(c)) return Integer();
    if (c == '"') return String();
    if (c == '*' || IsAlpha(c)) return ParseToken();
    if (c == ':') return Bytes();
    if (c == '?') return Boolean();
    return Error(AtEnd() ? "unexpected end of the field" : std::string("unexpected character '") + c + "'");
  }

  Result<BareItem> Integer() {
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!IsDigit(Peek())) return Error("expected a digit");
    int64_t value = 0;
    int digits = 0;
    while (IsDigit(Peek())) {
      if (++digits > 15) return Error("integer longer than 15 digits");
      value = value * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (Peek() == '.') return Error("decimals are not supported");
    return BareItem(negative ? -value : value);
  }

  Result<BareItem> String() {
    ++pos_;  // '"'
    std::string out;
    while (!AtEnd()) {
      const char c = s_[pos_++];
      if (c == '\\') {
        if (AtEnd()) return Error("unterminated escape in a string");
        const char next = s_[pos_++];
        if (next != '"' && next != '\\') return Error("invalid escape in a string");
        out += next;
      } else if (c == '"') {
        return BareItem(std::move(out));
      } else if (c < 0x20 || c > 0x7e) {
        return Error("control or non-ASCII character in a string");
      } else {
        out += c;
      }
    }
    return Error("unterminated string");
  }

  Result<BareItem> ParseToken() {
    const size_t start = pos_;
    ++pos_;
    while (!AtEnd() && IsTokenChar(s_[pos_])) ++pos_;
    return BareItem(Token{std::string(s_.substr(start, pos_ - start))});
  }

  Result<BareItem> Bytes() {
    ++pos_;  // ':'
    const size_t end = s_.find(':', pos_);
    if (end == std::string_view::npos) return Error("unterminated byte sequence");
    const std::string_view b64 = s_.substr(pos_, end - pos_);
    for (const char c : b64) {
      if (!(IsAlpha(c) || IsDigit(c) || c == '+' || c == '/' || c == '=')) {
        return Error("invalid character in a byte sequence");
      }
    }
    auto decoded = Base64Decode(b64, what_ + " byte sequence");
    if (!decoded.ok()) return Error("byte sequence is not valid base64");
    pos_ = end + 1;
    return BareItem(ByteSequence{std::move(*decoded)});
  }

  Result<BareItem> Boolean() {
    ++pos_;  // '?'
    const char c = Peek();
    if (c != '0' && c != '1') return Error("a boolean is ?0 or ?1");
    ++pos_;
    return BareItem(c == '1');
  }

  std::string_view s_;
  const std::string& what_;
  size_t pos_ = 0;
};

}  // namespace

Result<Dictionary> ParseDictionary(std::string_view text, const std::string& what) {
  return Parser(text, what).ParseDict();
}

std::string SerializeBareItem(const BareItem& item) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(const std::string& v) const {
      std::string out = "\"";
      for (const char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    std::string operator()(const Token& t) const { return t.value; }
    std::string operator()(const ByteSequence& b) const { return ":" + Base64Encode(b.bytes) + ":"; }
    std::string operator()(bool b) const { return b ? "?1" : "?0"; }
  };
  return std::visit(Visitor{}, item);
}

std::string SerializeParameters(const Parameters& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += ";" + key;
    if (const bool* b = std::get_if<bool>(&value); b != nullptr && *b) continue;  // true is the bare key
    out += "=" + SerializeBareItem(value);
  }
  return out;
}

std::string SerializeItem(const Item& item) {
  return SerializeBareItem(item.value) + SerializeParameters(item.params);
}

std::string SerializeInnerList(const InnerList& list) {
  std::string out = "(";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out += ' ';
    out += SerializeItem(list.items[i]);
  }
  return out + ")" + SerializeParameters(list.params);
}

std::string SerializeDictionary(const Dictionary& dict) {
  std::string out;
  for (const auto& [key, member] : dict) {
    if (!out.empty()) out += ", ";
    out += key;
    if (const Item* item = std::get_if<Item>(&member)) {
      if (const bool* b = std::get_if<bool>(&item->value); b != nullptr && *b) {
        out += SerializeParameters(item->params);
        continue;
      }
      out += "=" + SerializeItem(*item);
    } else {
      out += "=" + SerializeInnerList(std::get<InnerList>(member));
    }
  }
  return out;
}

const Member* FindMember(const Dictionary& dict, std::string_view key) {
  for (const auto& [k, m] : dict) {
    if (k == key) return &m;
  }
  return nullptr;
}

const BareItem* FindParam(const Parameters& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace tern::federation::sf
