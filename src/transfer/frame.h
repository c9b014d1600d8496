// Frames: the plaintext of each encrypted record of a transfer channel — batches of stream bytes, holes of a
// sparse file, file header, end of stream, abort, and the receiver's result. See docs/protocol.md, "Frames".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"

namespace tern::transfer {

enum class FrameType : uint8_t {
  kBatch = 1,      // a batch body (batch_codec.h)
  kHole = 2,       // u64 length: that many zero bytes of a file that need not be written
  kEnd = 3,        // u64 total raw bytes, u64 batch count: the direction ends cleanly (final record)
  kAbort = 4,      // reason: the direction ends in failure (final record)
  kFileBegin = 5,  // u64 file size: a file stream follows
  kResult = 6,     // u8 ok, message: the receiver's verdict on a file (final record)
};

inline constexpr size_t kMaxReasonSize = 1024;

struct BatchFrame {
  std::span<const uint8_t> body;
};
struct HoleFrame {
  uint64_t length = 0;
};
struct EndFrame {
  uint64_t total_bytes = 0;
  uint64_t batches = 0;
};
struct AbortFrame {
  std::string reason;
};
struct FileBeginFrame {
  uint64_t size = 0;
};
struct ResultFrame {
  bool ok = false;
  std::string message;
};
using Frame = std::variant<BatchFrame, HoleFrame, EndFrame, AbortFrame, FileBeginFrame, ResultFrame>;

// Encoders append one frame to `out`. A batch frame is the type byte followed by the batch body: callers
// append kBatch then BatchEncoder::Encode's output.
void AppendHole(std::vector<uint8_t>& out, uint64_t length);
void AppendEnd(std::vector<uint8_t>& out, const EndFrame& end);
void AppendAbort(std::vector<uint8_t>& out, std::string_view reason);
void AppendFileBegin(std::vector<uint8_t>& out, uint64_t size);
void AppendResult(std::vector<uint8_t>& out, bool ok, std::string_view message);

// InvalidArgument on an empty, unknown, short or over-long frame. A BatchFrame's body points into `frame`.
Result<Frame> ParseFrame(std::span<const uint8_t> frame);
// Whether frames of this kind close their direction (and so must travel in a final record).
bool IsFinalFrame(const Frame& f);

}  // namespace tern::transfer
