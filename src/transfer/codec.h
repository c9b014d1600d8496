// Codec choices for a batch of the transfer stream: raw, all-zero, LZ4, or zstd at a level.
#pragma once

#include <cstdint>
#include <string>

namespace tern::transfer {

enum class Codec : uint8_t { kRaw = 0, kZero = 1, kLz4 = 2, kZstd = 3 };

struct CodecChoice {
  Codec codec = Codec::kRaw;
  int level = 0;  // zstd level; 0 for the others

  friend bool operator==(const CodecChoice&, const CodecChoice&) = default;
};

// "raw", "zero", "lz4", "zstd-3".
std::string CodecChoiceName(CodecChoice c);

}  // namespace tern::transfer
