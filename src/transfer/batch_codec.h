// Batch codec: turns one batch of raw stream bytes into its wire body (codec, size, XXH3-128 checksum of the
// raw bytes, payload) and back, detecting any corrupt or truncated batch. Also profiles a batch (share of
// all-zero pages, LZ4 ratio of a sample) for the compression policy. See docs/protocol.md, "Batches".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "transfer/codec.h"

namespace tern::transfer {

inline constexpr size_t kMaxBatchSize = 4 << 20;  // raw bytes per batch
inline constexpr size_t kChecksumSize = 16;
inline constexpr size_t kBatchHeaderSize = 6;  // codec, level, raw length
inline constexpr size_t kPageSize = 4096;

struct BatchProfile {
  size_t size = 0;
  size_t zero_bytes = 0;      // bytes in whole 4 KiB pages that are all zero
  double sample_ratio = 1.0;  // LZ4 output / input over a sample of the non-zero pages (1 when none)
};

struct EncodedBatch {
  CodecChoice used;       // what went on the wire (raw when compression did not pay)
  size_t compressed = 0;  // the codec's output size even when raw was sent instead (for learning)
  double seconds = 0;     // time spent compressing
};

class BatchEncoder {
 public:
  BatchEncoder();
  ~BatchEncoder();
  BatchEncoder(const BatchEncoder&) = delete;
  BatchEncoder& operator=(const BatchEncoder&) = delete;

  BatchProfile Profile(std::span<const uint8_t> raw);
  // Appends the batch body of `raw` (at most kMaxBatchSize bytes) to `out`, compressed with `choice`; falls
  // back to raw when the compressed payload would not be at least 2% smaller.
  EncodedBatch Encode(std::span<const uint8_t> raw, CodecChoice choice, std::vector<uint8_t>& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class BatchDecoder {
 public:
  BatchDecoder();
  ~BatchDecoder();
  BatchDecoder(const BatchDecoder&) = delete;
  BatchDecoder& operator=(const BatchDecoder&) = delete;

  // Decodes a batch body into `raw` (replacing its content). InvalidArgument naming `batch_index` and what
  // is wrong: truncated header, unknown codec, oversized or inconsistent length, corrupt payload, checksum
  // mismatch.
  Status Decode(std::span<const uint8_t> body, uint64_t batch_index, std::vector<uint8_t>& raw);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// True when every byte is zero (vectorized by memcmp against a zero page).
bool IsAllZero(std::span<const uint8_t> bytes);

}  // namespace tern::transfer
