#include "transfer/compression_policy.h"

#include <algorithm>
#include <cmath>

namespace tern::transfer {

namespace {

constexpr double kAlpha = 0.2;  // weight of a new observation

struct Cost {
  double wire;
  double seconds;
};

Cost CostOf(const CodecModel& m, const BatchProfile& p, double link) {
  const double nonzero = static_cast<double>(p.size - p.zero_bytes);
  const double zero = static_cast<double>(p.zero_bytes);
  const double ratio = std::min(1.0, std::pow(p.sample_ratio, m.ratio_exponent));
  const double wire = nonzero * ratio + zero * kZeroRatio;
  const double cpu = nonzero / m.speed + zero / kZeroSpeed;
  return {wire, std::max(cpu, wire / link)};
}

}  // namespace

PolicyDecision ChooseCodec(const PolicyInput& in) {
  const BatchProfile& p = in.profile;
  const double size = static_cast<double>(p.size);
  if (p.size > 0 && p.zero_bytes == p.size) return {CodecChoice{Codec::kZero, 0}, 0, 0};
  const double link = std::max(in.link_bytes_per_second, 1.0);
  PolicyDecision best{CodecChoice{Codec::kRaw, 0}, size, size / link};
  if (p.size < kMinCompressible) return best;
  for (const CodecModel& m : in.models) {
    const Cost c = CostOf(m, p, link);
    const bool faster = c.seconds < best.predicted_seconds * (1 - kTieMargin);
    const bool tie_but_smaller =
        c.seconds <= best.predicted_seconds * (1 + kTieMargin) && c.wire < best.predicted_wire;
    // Compression must beat raw by the margin, not just tie it: a tie would burn CPU for nothing.
    const bool beats_raw = c.seconds < (size / link) * (1 - kTieMargin);
    if (beats_raw && (faster || tie_but_smaller)) best = {m.choice, c.wire, c.seconds};
  }
  return best;
}

CodecEstimator::CodecEstimator()
    // Seeds: single-core compression speed on text-like data (bench/transfer's codec table on the development
    // machine, idle) and the exponent relating each codec's ratio on a whole 1 MiB batch to LZ4's on the 4
    // KiB sample pages (LZ4 itself does better on the whole batch: exponent > 1). The estimator corrects both
    // from the batches it compresses.
    : models_{{{CodecChoice{Codec::kLz4, 0}, 450e6, 1.15},
               {CodecChoice{Codec::kZstd, 1}, 300e6, 1.9},
               {CodecChoice{Codec::kZstd, 3}, 220e6, 2.0},
               {CodecChoice{Codec::kZstd, 6}, 80e6, 2.05},
               {CodecChoice{Codec::kZstd, 9}, 45e6, 2.1}}} {}

void CodecEstimator::Observe(CodecChoice choice, const BatchProfile& profile, size_t compressed,
                             double seconds) {
  auto it =
      std::find_if(models_.begin(), models_.end(), [&](const CodecModel& m) { return m.choice == choice; });
  if (it == models_.end()) return;
  const double nonzero = static_cast<double>(profile.size - profile.zero_bytes);
  const double zero = static_cast<double>(profile.zero_bytes);
  if (nonzero < 16 * 1024) return;  // too little non-zero data to say anything
  const double cpu = seconds - zero / kZeroSpeed;
  if (cpu > 0) {
    const double speed = nonzero / cpu;
    it->speed = (1 - kAlpha) * it->speed + kAlpha * speed;
  }
  // ratio = sample_ratio ^ exponent  =>  exponent = ln(ratio) / ln(sample_ratio); meaningless near 1.
  if (profile.sample_ratio > 0.001 && profile.sample_ratio < 0.95) {
    const double ratio = std::max(1e-6, static_cast<double>(compressed) - zero * kZeroRatio) / nonzero;
    const double exponent =
        std::clamp(std::log(std::min(ratio, 1.0)) / std::log(profile.sample_ratio), 0.5, 3.0);
    it->ratio_exponent = (1 - kAlpha) * it->ratio_exponent + kAlpha * exponent;
  }
}

void LinkEstimate::AddSample(double bytes_per_second, bool app_limited) {
  if (bytes_per_second <= 0) return;
  if (app_limited) {
    // The link idled: it is faster than the sender fed it, by an unknown amount. Probe upwards — otherwise a
    // sender slowed by heavy compression would measure its own slowness, take it for the link's, and keep
    // compressing heavily. If the link is not that fast, the next busy samples pull the estimate back.
    rate_ = std::min(kMaxLinkRate, std::max(rate_, bytes_per_second) * 1.5);
    return;
  }
  rate_ = measured_ ? 0.7 * rate_ + 0.3 * bytes_per_second : bytes_per_second;
  measured_ = true;
}

}  // namespace tern::transfer
