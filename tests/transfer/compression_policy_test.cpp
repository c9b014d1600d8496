// Compression policy: the codec follows link speed and compressibility as documented — zero batches as a
// length, tiny and incompressible batches raw, strong zstd on slow links, light or no compression on fast
// ones — and the estimators learn from what they see.
#include "transfer/compression_policy.h"

#include <gtest/gtest.h>

namespace tern::transfer {
namespace {

constexpr double kMbit = 1e6 / 8;

// Fixed models so the expectations do not depend on the seeds' tuning.
const std::array<CodecModel, 5> kModels = {{{CodecChoice{Codec::kLz4, 0}, 600e6, 1.0},
                                            {CodecChoice{Codec::kZstd, 1}, 300e6, 1.2},
                                            {CodecChoice{Codec::kZstd, 3}, 160e6, 1.3},
                                            {CodecChoice{Codec::kZstd, 6}, 60e6, 1.4},
                                            {CodecChoice{Codec::kZstd, 9}, 35e6, 1.45}}};

BatchProfile Batch(double sample_ratio, double zero_share = 0, size_t size = 1 << 20) {
  BatchProfile p;
  p.size = size;
  p.zero_bytes = static_cast<size_t>(zero_share * static_cast<double>(size)) / kPageSize * kPageSize;
  p.sample_ratio = sample_ratio;
  return p;
}

CodecChoice Choose(double link, const BatchProfile& p) {
  return ChooseCodec(PolicyInput{link, p, kModels}).choice;
}

TEST(CompressionPolicyTest, AllZeroBatchIsSentAsALength) {
  EXPECT_EQ(Choose(100 * kMbit, Batch(1.0, 1.0)).codec, Codec::kZero);
  EXPECT_EQ(Choose(100000 * kMbit, Batch(1.0, 1.0)).codec, Codec::kZero);
}

TEST(CompressionPolicyTest, TinyBatchesAreRaw) {
  EXPECT_EQ(Choose(10 * kMbit, Batch(0.2, 0, 100)).codec, Codec::kRaw);
}

TEST(CompressionPolicyTest, IncompressibleDataIsRawAtAnySpeed) {
  for (const double link : {10 * kMbit, 100 * kMbit, 1000 * kMbit, 10000 * kMbit}) {
    EXPECT_EQ(Choose(link, Batch(1.0)).codec, Codec::kRaw) << link;
  }
}

TEST(CompressionPolicyTest, SlowLinkGetsStrongCompression) {
  // 100 Mbit/s, text: zstd-6 moves 1 MiB in ~17 ms (CPU-bound) against raw's 84 ms.
  const CodecChoice c = Choose(100 * kMbit, Batch(0.4));
  EXPECT_EQ(c, (CodecChoice{Codec::kZstd, 6}));
  EXPECT_EQ(Choose(10 * kMbit, Batch(0.4)), (CodecChoice{Codec::kZstd, 9}));
}

TEST(CompressionPolicyTest, FastLinkGetsLightCompressionOrNone) {
  const CodecChoice gbit = Choose(1000 * kMbit, Batch(0.4));
  EXPECT_TRUE(gbit.codec == Codec::kLz4 || (gbit.codec == Codec::kZstd && gbit.level <= 1))
      << CodecChoiceName(gbit);
  // Loopback speeds: compressing is slower than sending.
  EXPECT_EQ(Choose(40000 * kMbit, Batch(0.4)).codec, Codec::kRaw);
}

TEST(CompressionPolicyTest, ZeroPagesMakeCompressionPayEvenForRandomData) {
  // Half zero pages, half random: the zeros compress to nothing, so compressing beats raw on a slow link, and
  // since no codec can do anything with the random half, the cheapest one does it...
  EXPECT_EQ(Choose(100 * kMbit, Batch(1.0, 0.5)).codec, Codec::kLz4);
  // ...but when the non-zero half cannot be compressed and the link is fast, lz4 (fast on zeros) or raw.
  const CodecChoice fast = Choose(10000 * kMbit, Batch(1.0, 0.5));
  EXPECT_TRUE(fast.codec == Codec::kLz4 || fast.codec == Codec::kRaw) << CodecChoiceName(fast);
}

TEST(CompressionPolicyTest, MarginallyCompressibleDataIsRaw) {
  // 98.5% of its size even with the best codec: not worth it on a fast or a slow link.
  EXPECT_EQ(Choose(1000 * kMbit, Batch(0.99)).codec, Codec::kRaw);
  EXPECT_EQ(Choose(100 * kMbit, Batch(0.99)).codec, Codec::kRaw);
}

TEST(CompressionPolicyTest, DecisionPredictsWireAndTime) {
  const PolicyDecision d = ChooseCodec(PolicyInput{100 * kMbit, Batch(0.4), kModels});
  EXPECT_LT(d.predicted_wire, (1 << 20) * 0.4);
  EXPECT_GT(d.predicted_seconds, 0);
  EXPECT_LT(d.predicted_seconds, (1 << 20) / (100 * kMbit));
}

TEST(CodecEstimatorTest, LearnsSpeedAndRatio) {
  CodecEstimator est;
  const CodecChoice z3{Codec::kZstd, 3};
  const auto model = [&]() {
    for (const CodecModel& m : est.models()) {
      if (m.choice == z3) return m;
    }
    return CodecModel{};
  };
  const double speed0 = model().speed;
  const double exponent0 = model().ratio_exponent;
  const BatchProfile p = Batch(0.5);
  // Observed: 1 MiB in 50 ms (20 MB/s), compressed to 12.5% = 0.5^3 (exponent 3).
  for (int i = 0; i < 30; ++i) est.Observe(z3, p, (1 << 20) / 8, 0.05);
  EXPECT_LT(model().speed, speed0);
  EXPECT_NEAR(model().speed, (1 << 20) / 0.05, 1e6);
  EXPECT_GT(model().ratio_exponent, exponent0);
  EXPECT_NEAR(model().ratio_exponent, 3.0, 0.01);
  // Tiny batches teach nothing.
  const CodecModel before = model();
  est.Observe(z3, Batch(0.5, 0, 1000), 10, 1.0);
  EXPECT_EQ(model().speed, before.speed);
}

TEST(LinkEstimateTest, BusySamplesTrackTheLinkAndIdleOnesProbeUpwards) {
  LinkEstimate link(125e6);
  link.AddSample(12.5e6, false);
  EXPECT_DOUBLE_EQ(link.bytes_per_second(), 12.5e6);  // the first real measurement replaces the guess
  link.AddSample(1e6, true);                          // idle link: never lowers, probes 1.5x up
  EXPECT_DOUBLE_EQ(link.bytes_per_second(), 12.5e6 * 1.5);
  link.AddSample(50e6, true);
  EXPECT_DOUBLE_EQ(link.bytes_per_second(), 75e6);
  link.AddSample(10e6, false);  // busy: the link really carried 10 MB/s
  EXPECT_NEAR(link.bytes_per_second(), 0.7 * 75e6 + 0.3 * 10e6, 1e3);
  for (int i = 0; i < 30; ++i) link.AddSample(10e6, false);
  EXPECT_NEAR(link.bytes_per_second(), 10e6, 1e5);
  link.AddSample(0, false);  // nothing measured
  EXPECT_NEAR(link.bytes_per_second(), 10e6, 1e5);
  for (int i = 0; i < 100; ++i) link.AddSample(1e9, true);
  EXPECT_DOUBLE_EQ(link.bytes_per_second(), kMaxLinkRate);
}

TEST(LinkEstimateTest, ASenderSlowedByCompressionIsNotTrappedOnAFastLink) {
  // On a 1 GB/s link a sender compressing with zstd at 30 MB/s leaves the link idle; the estimate must grow
  // until the policy stops choosing heavy compression for text.
  LinkEstimate link;  // starts at 100 Mbit/s
  BatchProfile text;
  text.size = 1 << 20;
  text.sample_ratio = 0.5;
  int samples = 0;
  while (ChooseCodec(PolicyInput{link.bytes_per_second(), text, kModels}).choice.codec == Codec::kZstd &&
         samples < 50) {
    link.AddSample(30e6, true);
    ++samples;
  }
  EXPECT_LT(samples, 15);
}

}  // namespace
}  // namespace tern::transfer
