#include "transfer/stream_codec.h"

namespace tern::transfer {

void OutboundStream::AppendBatch(std::span<const uint8_t> raw, std::vector<uint8_t>& frame) {
  const size_t start = frame.size();
  frame.push_back(static_cast<uint8_t>(FrameType::kBatch));
  const BatchProfile profile = encoder_.Profile(raw);
  CodecChoice choice{Codec::kRaw, 0};
  if (compress_) {
    choice = ChooseCodec(PolicyInput{link_.bytes_per_second(), profile, estimator_.models()}).choice;
  } else if (profile.zero_bytes == profile.size) {
    choice = CodecChoice{Codec::kZero, 0};
  }
  const EncodedBatch encoded = encoder_.Encode(raw, choice, frame);
  if (choice.codec == Codec::kLz4 || choice.codec == Codec::kZstd) {
    estimator_.Observe(choice, profile, encoded.compressed, encoded.seconds);
  }
  last_ = encoded.used;
  stats_.raw_bytes += raw.size();
  stats_.frame_bytes += frame.size() - start;
  ++stats_.batches;
  ++stats_.batches_by_codec[static_cast<size_t>(encoded.used.codec)];
}

void OutboundStream::AppendHole(uint64_t length, std::vector<uint8_t>& frame) {
  const size_t start = frame.size();
  transfer::AppendHole(frame, length);
  stats_.hole_bytes += length;
  stats_.frame_bytes += frame.size() - start;
}

void OutboundStream::AppendEnd(std::vector<uint8_t>& frame) {
  const size_t start = frame.size();
  transfer::AppendEnd(frame, EndFrame{stats_.raw_bytes + stats_.hole_bytes, stats_.batches});
  stats_.frame_bytes += frame.size() - start;
}

Status InboundStream::Check(bool ok, const std::string& why) const {
  return ok ? Status::Ok() : Status::InvalidArgument("invalid transfer stream: " + why);
}

Result<InboundEvent> InboundStream::OnRecord(std::span<const uint8_t> plaintext, bool final) {
  TERN_RETURN_IF_ERROR(Check(!finished_, "a record arrived after the end of the stream"));
  TERN_ASSIGN_OR_RETURN(const Frame frame, ParseFrame(plaintext));
  stats_.frame_bytes += plaintext.size();
  if (IsFinalFrame(frame) != final) {
    return Check(false, final ? "the final record does not carry an end, abort or result frame"
                              : "an end, abort or result frame arrived in a non-final record");
  }
  InboundEvent ev;
  if (const auto* abort = std::get_if<AbortFrame>(&frame)) {
    finished_ = true;
    ev.kind = InboundEvent::Kind::kAbort;
    ev.text = abort->reason;
    return ev;
  }
  if (mode_ == Mode::kResult) {
    const auto* result = std::get_if<ResultFrame>(&frame);
    TERN_RETURN_IF_ERROR(Check(result != nullptr, "expected a result frame"));
    finished_ = true;
    ev.kind = InboundEvent::Kind::kResult;
    ev.ok = result->ok;
    ev.text = result->message;
    return ev;
  }
  TERN_RETURN_IF_ERROR(Check(!std::holds_alternative<ResultFrame>(frame), "unexpected result frame"));
  const uint64_t position = stats_.raw_bytes + stats_.hole_bytes;
  if (mode_ == Mode::kFile) {
    if (const auto* begin = std::get_if<FileBeginFrame>(&frame)) {
      TERN_RETURN_IF_ERROR(Check(!file_begun_, "a second file-begin frame"));
      file_begun_ = true;
      file_size_ = begin->size;
      ev.kind = InboundEvent::Kind::kFileBegin;
      ev.length = begin->size;
      return ev;
    }
    TERN_RETURN_IF_ERROR(Check(file_begun_, "file data before the file-begin frame"));
  } else {
    TERN_RETURN_IF_ERROR(
        Check(!std::holds_alternative<FileBeginFrame>(frame) && !std::holds_alternative<HoleFrame>(frame),
              "file frames in a byte-stream relay"));
  }
  if (const auto* batch = std::get_if<BatchFrame>(&frame)) {
    TERN_RETURN_IF_ERROR(decoder_.Decode(batch->body, stats_.batches, raw_));
    if (mode_ == Mode::kFile && position + raw_.size() > file_size_) {
      return Check(false, "data beyond the declared file size of " + std::to_string(file_size_) + " bytes");
    }
    ++stats_.batches;
    stats_.raw_bytes += raw_.size();
    ev.kind = InboundEvent::Kind::kData;
    ev.data = raw_;
    return ev;
  }
  if (const auto* hole = std::get_if<HoleFrame>(&frame)) {
    if (hole->length > file_size_ - position) {
      return Check(false, "a hole beyond the declared file size of " + std::to_string(file_size_) + " bytes");
    }
    stats_.hole_bytes += hole->length;
    ev.kind = InboundEvent::Kind::kHole;
    ev.length = hole->length;
    return ev;
  }
  const auto& end = std::get<EndFrame>(frame);
  if (end.total_bytes != position || end.batches != stats_.batches) {
    return Check(false, "the sender ended after " + std::to_string(end.total_bytes) + " bytes in " +
                            std::to_string(end.batches) + " batches but " + std::to_string(position) +
                            " bytes in " + std::to_string(stats_.batches) + " batches arrived");
  }
  if (mode_ == Mode::kFile && position != file_size_) {
    return Check(false, "the file ended at " + std::to_string(position) + " of " +
                            std::to_string(file_size_) + " bytes");
  }
  finished_ = true;
  ev.kind = InboundEvent::Kind::kEnd;
  ev.length = position;
  return ev;
}

Status InboundStream::OnTransportEnd() const {
  if (finished_) return Status::Ok();
  return Status::Unavailable("the link was cut: the stream ended after " +
                             std::to_string(stats_.raw_bytes + stats_.hole_bytes) + " bytes (" +
                             std::to_string(stats_.batches) + " batches) without an end marker");
}

}  // namespace tern::transfer
