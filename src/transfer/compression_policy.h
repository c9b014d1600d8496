// Compression policy: picks the codec of each batch from the measured link throughput and the batch's
// measured compressibility, so that the stream moves the most raw bytes per second. Compressing the next
// batch overlaps sending this one, so a codec c costs  max(cpu_c, wire_c / link)  seconds per batch, where
//   cpu_c  = nonzero / speed_c + zero / kZeroSpeed
//   wire_c = nonzero * sample_ratio ^ exponent_c + zero * kZeroRatio
// (speed_c: c's compression speed on this CPU; sample_ratio: LZ4's ratio on a sample of the batch;
// exponent_c: how much better than LZ4 codec c does — 1 for LZ4, > 1 for zstd, so incompressible data (ratio
// 1) stays incompressible for every codec and very compressible data gains the most). Raw costs size / link.
// The cheapest wins; among near-ties (within 3%) the one with fewer wire bytes. All-zero batches are sent as
// a length only; batches under kMinCompressible bytes are sent raw. CodecEstimator learns speed_c and
// exponent_c from the batches actually sent; LinkEstimate follows the kernel's delivery-rate estimate. See
// docs/protocol.md, "Compression policy".
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "transfer/batch_codec.h"
#include "transfer/codec.h"

namespace tern::transfer {

inline constexpr size_t kMinCompressible = 512;
inline constexpr double kZeroSpeed = 3e9;     // bytes/s any codec chews through zero pages
inline constexpr double kZeroRatio = 0.0005;  // what a zero page costs on the wire, compressed
inline constexpr double kTieMargin = 0.03;
inline constexpr double kMaxLinkRate = 10e9;  // bytes/s; the probing ceiling

struct CodecModel {
  CodecChoice choice;
  double speed = 0;           // raw non-zero bytes compressed per second, one core
  double ratio_exponent = 1;  // predicted ratio = sample_ratio ^ exponent
};

struct PolicyInput {
  double link_bytes_per_second = 0;
  BatchProfile profile;
  std::span<const CodecModel> models;  // candidates besides raw
};

struct PolicyDecision {
  CodecChoice choice;
  double predicted_wire = 0;     // bytes
  double predicted_seconds = 0;  // per batch, pipelined
};

PolicyDecision ChooseCodec(const PolicyInput& in);

// Speeds and ratio factors per codec, seeded with figures measured on this kind of machine and refined from
// the batches actually compressed (exponentially weighted).
class CodecEstimator {
 public:
  CodecEstimator();
  [[nodiscard]] std::span<const CodecModel> models() const { return models_; }
  // `compressed`: the codec's output size; `seconds`: time spent compressing.
  void Observe(CodecChoice choice, const BatchProfile& profile, size_t compressed, double seconds);

 private:
  std::array<CodecModel, 5> models_;
};

// The link's throughput, from the channel socket's acknowledged bytes between batches (LinkMeter). Samples
// taken while the sender left the link idle (application-limited) are only lower bounds: they never lower the
// estimate, and they raise it by half again (probing), so that a sender slowed by its own compression does
// not mistake its slowness for the link's.
class LinkEstimate {
 public:
  // Until measured, a WAN-class 100 Mbit/s: cross-site links are rarely faster, and on a faster one the first
  // application-limited samples raise the estimate within a few batches.
  explicit LinkEstimate(double initial_bytes_per_second = 12.5e6) : rate_(initial_bytes_per_second) {}
  void AddSample(double bytes_per_second, bool app_limited);
  [[nodiscard]] double bytes_per_second() const { return rate_; }

 private:
  double rate_;
  bool measured_ = false;
};

}  // namespace tern::transfer
