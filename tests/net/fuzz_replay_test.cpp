// Replays the checked-in libFuzzer corpus (fuzz/net/corpus/<target>) and deterministic pseudo-random inputs
// through the fuzz targets, so the normal (sanitized) unit suite exercises them too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "fuzz_targets.h"

namespace tern::net::fuzz {
namespace {

using Target = int (*)(const uint8_t*, size_t);

size_t ReplayCorpus(const std::string& name, Target target) {
  const std::filesystem::path dir = std::filesystem::path(TERN_SOURCE_DIR) / "fuzz/net/corpus" / name;
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().string());
    target(data.data(), data.size());
    // Also every truncation of small inputs and single-byte mutations: cheap, deterministic extra coverage.
    for (size_t cut = 0; cut < data.size() && cut < 64; ++cut) target(data.data(), cut);
    std::mt19937 rng(static_cast<uint32_t>(data.size()));
    for (int i = 0; i < 200 && !data.empty(); ++i) {
      auto copy = data;
      copy[rng() % copy.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      target(copy.data(), copy.size());
    }
    ++n;
  }
  return n;
}

void RandomInputs(Target target) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> data(rng() % 200);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    target(data.data(), data.size());
  }
}

TEST(FuzzReplayTest, Frame) {
  EXPECT_GT(ReplayCorpus("frame", FuzzFrame), 0u);
  RandomInputs(FuzzFrame);
}

TEST(FuzzReplayTest, Control) {
  EXPECT_GT(ReplayCorpus("control", FuzzControl), 0u);
  RandomInputs(FuzzControl);
}

TEST(FuzzReplayTest, Switch) {
  EXPECT_GT(ReplayCorpus("switch", FuzzSwitch), 0u);
  RandomInputs(FuzzSwitch);
}

}  // namespace
}  // namespace tern::net::fuzz
