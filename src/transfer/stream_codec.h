// OutboundStream / InboundStream: one direction of a transfer channel as pure logic. The outbound side cuts
// raw bytes into batch frames, letting the compression policy pick each batch's codec; the inbound side
// decodes frames and checks that they form a valid stream (order, sizes, totals, final markers), so a
// corrupt, truncated or cut stream is an error, never silently short data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "transfer/batch_codec.h"
#include "transfer/compression_policy.h"
#include "transfer/frame.h"

namespace tern::transfer {

struct StreamStats {
  uint64_t raw_bytes = 0;    // payload bytes (holes excluded)
  uint64_t hole_bytes = 0;   // bytes declared by hole frames
  uint64_t frame_bytes = 0;  // plaintext frame bytes (before encryption)
  uint64_t batches = 0;
  std::array<uint64_t, 4> batches_by_codec{};  // indexed by Codec
};

class OutboundStream {
 public:
  // compress=false sends every batch raw (or as zero).
  explicit OutboundStream(bool compress = true) : compress_(compress) {}

  // Appends one batch frame for `raw` (1..kMaxBatchSize bytes) to `frame`.
  void AppendBatch(std::span<const uint8_t> raw, std::vector<uint8_t>& frame);
  void AppendHole(uint64_t length, std::vector<uint8_t>& frame);
  // The end frame with this direction's totals.
  void AppendEnd(std::vector<uint8_t>& frame);
  void AddLinkSample(double bytes_per_second, bool app_limited) {
    link_.AddSample(bytes_per_second, app_limited);
  }

  [[nodiscard]] const StreamStats& stats() const { return stats_; }
  [[nodiscard]] double link_bytes_per_second() const { return link_.bytes_per_second(); }
  [[nodiscard]] CodecChoice last_choice() const { return last_; }

 private:
  bool compress_;
  BatchEncoder encoder_;
  CodecEstimator estimator_;
  LinkEstimate link_;
  StreamStats stats_;
  CodecChoice last_;
};

struct InboundEvent {
  enum class Kind { kData, kHole, kFileBegin, kEnd, kAbort, kResult };
  Kind kind = Kind::kData;
  std::span<const uint8_t> data;  // kData: valid until the next OnRecord
  uint64_t length = 0;            // kHole: its length; kFileBegin: the file size
  std::string text;               // kAbort: reason; kResult: message
  bool ok = false;                // kResult
};

class InboundStream {
 public:
  enum class Mode {
    kRelay,   // batches, then end or abort
    kFile,    // file-begin, batches and holes up to the declared size, then end or abort
    kResult,  // a single result or abort (the answer to a file)
  };
  explicit InboundStream(Mode mode) : mode_(mode) {}

  // Takes the plaintext of one record and whether it carried the final tag.
  Result<InboundEvent> OnRecord(std::span<const uint8_t> plaintext, bool final);
  // The transport ended (EOF): an error unless the stream had finished — that is how a cut link shows.
  [[nodiscard]] Status OnTransportEnd() const;

  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] const StreamStats& stats() const { return stats_; }

 private:
  Status Check(bool ok, const std::string& why) const;

  Mode mode_;
  BatchDecoder decoder_;
  std::vector<uint8_t> raw_;
  StreamStats stats_;
  bool finished_ = false;
  bool file_begun_ = false;
  uint64_t file_size_ = 0;
};

}  // namespace tern::transfer
