// Test payloads for the transfer tests: incompressible (random), text-like (words from a small vocabulary, as
// in logs and configuration), and zero-heavy (like sparse disk images and guest RAM).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tern::transfer::testdata {

inline std::vector<uint8_t> Random(size_t n, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t x = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) v[i + k] = static_cast<uint8_t>(x >> (8 * k));
  }
  return v;
}

inline std::vector<uint8_t> Text(size_t n, uint64_t seed = 2) {
  static const char* const kWords[] = {
      "the",   "migration", "of",     "virtual", "machine", "between", "sites",    "requires", "a",
      "token", "proxy",     "stream", "page",    "memory",  "dirty",   "rate",     "kernel",   "log:",
      "INFO",  "WARN",      "error",  "=",       "value",   "host",    "10.0.0.1", "config",   "\n"};
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v;
  v.reserve(n);
  while (v.size() < n) {
    const std::string w = kWords[rng() % (sizeof kWords / sizeof kWords[0])];
    for (const char c : w) v.push_back(static_cast<uint8_t>(c));
    v.push_back(rng() % 7 == 0 ? static_cast<uint8_t>('0' + rng() % 10) : static_cast<uint8_t>(' '));
  }
  v.resize(n);
  return v;
}

// `zero_share` of the 4 KiB pages are zero, the rest text-like.
inline std::vector<uint8_t> ZeroHeavy(size_t n, double zero_share, uint64_t seed = 3) {
  std::vector<uint8_t> v = Text(n, seed);
  std::mt19937_64 rng(seed);
  for (size_t off = 0; off < n; off += 4096) {
    if (static_cast<double>(rng() % 1000) < zero_share * 1000) {
      std::fill(v.begin() + static_cast<ptrdiff_t>(off),
                v.begin() + static_cast<ptrdiff_t>(std::min(n, off + 4096)), 0);
    }
  }
  return v;
}

}  // namespace tern::transfer::testdata
