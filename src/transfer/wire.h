// ByteWriter / ByteReader: big-endian fields of the transfer wire formats, with bounds-checked reads (a short
// or oversized field is an error, never an out-of-range access).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/byte_io.h"

namespace tern::transfer {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Put(v, 2); }
  void U32(uint32_t v) { Put(v, 4); }
  void U64(uint64_t v) { Put(v, 8); }
  void Bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Text(std::string_view s) { Bytes(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size())); }
  // Length-prefixed strings; the caller keeps them within the prefix's range.
  void Str8(std::string_view s) {
    U8(static_cast<uint8_t>(s.size()));
    Text(s);
  }
  void Str16(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    Text(s);
  }

 private:
  void Put(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}
  bool U8(uint8_t& v) {
    if (!Has(1)) return false;
    v = in_[pos_++];
    return true;
  }
  bool U16(uint16_t& v) {
    if (!Has(2)) return false;
    v = net::LoadBe16(in_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t& v) {
    if (!Has(4)) return false;
    v = net::LoadBe32(in_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t& v) {
    if (!Has(8)) return false;
    v = net::LoadBe64(in_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Bytes(std::span<uint8_t> out) {
    if (!Has(out.size())) return false;
    std::copy(in_.begin() + static_cast<ptrdiff_t>(pos_),
              in_.begin() + static_cast<ptrdiff_t>(pos_ + out.size()), out.begin());
    pos_ += out.size();
    return true;
  }
  bool Str8(std::string& s) {
    uint8_t n = 0;
    return U8(n) && Text(n, s);
  }
  bool Str16(std::string& s) {
    uint16_t n = 0;
    return U16(n) && Text(n, s);
  }
  // The unread rest.
  [[nodiscard]] std::span<const uint8_t> Rest() const { return in_.subspan(pos_); }
  [[nodiscard]] size_t remaining() const { return in_.size() - pos_; }
  [[nodiscard]] bool AtEnd() const { return pos_ == in_.size(); }

 private:
  bool Has(size_t n) const { return in_.size() - pos_ >= n; }
  bool Text(size_t n, std::string& s) {
    if (!Has(n)) return false;
    s.assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

}  // namespace tern::transfer
