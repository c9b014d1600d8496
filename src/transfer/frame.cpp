#include "transfer/frame.h"

#include "transfer/wire.h"

namespace tern::transfer {

void AppendHole(std::vector<uint8_t>& out, uint64_t length) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(FrameType::kHole));
  w.U64(length);
}

void AppendEnd(std::vector<uint8_t>& out, const EndFrame& end) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(FrameType::kEnd));
  w.U64(end.total_bytes);
  w.U64(end.batches);
}

void AppendAbort(std::vector<uint8_t>& out, std::string_view reason) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(FrameType::kAbort));
  w.Text(reason.substr(0, kMaxReasonSize));
}

void AppendFileBegin(std::vector<uint8_t>& out, uint64_t size) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(FrameType::kFileBegin));
  w.U64(size);
}

void AppendResult(std::vector<uint8_t>& out, bool ok, std::string_view message) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(FrameType::kResult));
  w.U8(ok ? 1 : 0);
  w.Text(message.substr(0, kMaxReasonSize));
}

Result<Frame> ParseFrame(std::span<const uint8_t> frame) {
  if (frame.empty()) return Status::InvalidArgument("empty frame");
  ByteReader r(frame.subspan(1));
  const auto type = static_cast<FrameType>(frame[0]);
  const auto text = [&]() -> Result<std::string> {
    const auto rest = r.Rest();
    if (rest.size() > kMaxReasonSize) return Status::InvalidArgument("frame text longer than 1024 bytes");
    return std::string(reinterpret_cast<const char*>(rest.data()), rest.size());
  };
  const auto exact = [&](const char* what) -> Status {
    return r.AtEnd() ? Status::Ok()
                     : Status::InvalidArgument(std::string(what) + " frame has trailing bytes");
  };
  switch (type) {
    case FrameType::kBatch:
      return Frame(BatchFrame{r.Rest()});
    case FrameType::kHole: {
      HoleFrame h;
      if (!r.U64(h.length)) return Status::InvalidArgument("truncated hole frame");
      TERN_RETURN_IF_ERROR(exact("hole"));
      return Frame(h);
    }
    case FrameType::kEnd: {
      EndFrame e;
      if (!r.U64(e.total_bytes) || !r.U64(e.batches)) return Status::InvalidArgument("truncated end frame");
      TERN_RETURN_IF_ERROR(exact("end"));
      return Frame(e);
    }
    case FrameType::kAbort: {
      TERN_ASSIGN_OR_RETURN(std::string reason, text());
      return Frame(AbortFrame{std::move(reason)});
    }
    case FrameType::kFileBegin: {
      FileBeginFrame f;
      if (!r.U64(f.size)) return Status::InvalidArgument("truncated file-begin frame");
      TERN_RETURN_IF_ERROR(exact("file-begin"));
      return Frame(f);
    }
    case FrameType::kResult: {
      uint8_t ok = 0;
      if (!r.U8(ok) || ok > 1) return Status::InvalidArgument("truncated or invalid result frame");
      TERN_ASSIGN_OR_RETURN(std::string message, text());
      return Frame(ResultFrame{ok == 1, std::move(message)});
    }
  }
  return Status::InvalidArgument("unknown frame type " + std::to_string(frame[0]));
}

bool IsFinalFrame(const Frame& f) {
  return std::holds_alternative<EndFrame>(f) || std::holds_alternative<AbortFrame>(f) ||
         std::holds_alternative<ResultFrame>(f);
}

}  // namespace tern::transfer
