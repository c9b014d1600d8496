// One direction of a channel as pure logic: what the outbound side frames the inbound side reassembles
// byte-exact, and every malformed sequence — missing end, wrong totals, data past a file's size, frames after
// the end, non-final end — is an error; a stream that just stops is reported as a cut link.
#include "transfer/stream_codec.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace tern::transfer {
namespace {

struct Record {
  std::vector<uint8_t> frame;
  bool final = false;
};

// Frames `data` as batches of `batch` bytes, then the end.
std::vector<Record> FrameStream(const std::vector<uint8_t>& data, size_t batch, double link = 12.5e6) {
  OutboundStream out;
  out.AddLinkSample(link, false);
  std::vector<Record> records;
  for (size_t off = 0; off < data.size(); off += batch) {
    Record r;
    out.AppendBatch(std::span(data).subspan(off, std::min(batch, data.size() - off)), r.frame);
    records.push_back(std::move(r));
  }
  Record end;
  out.AppendEnd(end.frame);
  end.final = true;
  records.push_back(std::move(end));
  return records;
}

Result<std::vector<uint8_t>> Receive(const std::vector<Record>& records, InboundStream::Mode mode) {
  InboundStream in(mode);
  std::vector<uint8_t> got;
  for (const Record& r : records) {
    TERN_ASSIGN_OR_RETURN(const InboundEvent ev, in.OnRecord(r.frame, r.final));
    if (ev.kind == InboundEvent::Kind::kData) got.insert(got.end(), ev.data.begin(), ev.data.end());
    if (ev.kind == InboundEvent::Kind::kHole) got.resize(got.size() + ev.length, 0);
    if (ev.kind == InboundEvent::Kind::kAbort) return Status::Unavailable("aborted: " + ev.text);
  }
  TERN_RETURN_IF_ERROR(in.OnTransportEnd());
  return got;
}

TEST(StreamCodecTest, RelayRoundTripsMixedData) {
  std::vector<uint8_t> data = testdata::Text(3 << 20);
  const auto random = testdata::Random(1 << 20);
  data.insert(data.end(), random.begin(), random.end());
  data.resize(data.size() + (2 << 20), 0);
  data.push_back(42);
  auto got = Receive(FrameStream(data, 1 << 20), InboundStream::Mode::kRelay);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, data);
}

TEST(StreamCodecTest, ZeroHeavyDataCompressesToAlmostNothing) {
  const std::vector<uint8_t> zeros(64 << 20, 0);
  OutboundStream out;
  std::vector<uint8_t> frames;
  for (size_t off = 0; off < zeros.size(); off += 1 << 20)
    out.AppendBatch(std::span(zeros).subspan(off, 1 << 20), frames);
  EXPECT_LT(out.stats().frame_bytes, 64u * 16);  // a few bytes per MiB
  EXPECT_EQ(out.stats().batches_by_codec[static_cast<size_t>(Codec::kZero)], 64u);

  const auto ram = testdata::ZeroHeavy(32 << 20, 0.9);
  OutboundStream out2;
  out2.AddLinkSample(12.5e6, false);
  std::vector<uint8_t> f2;
  for (size_t off = 0; off < ram.size(); off += 1 << 20)
    out2.AppendBatch(std::span(ram).subspan(off, 1 << 20), f2);
  EXPECT_LT(out2.stats().frame_bytes, ram.size() / 20) << "90% zero pages, the rest text";
}

TEST(StreamCodecTest, UncompressedModeStillSendsZeroBatchesAsLengths) {
  OutboundStream out(false);
  std::vector<uint8_t> frame;
  const auto text = testdata::Text(1 << 20);
  out.AppendBatch(text, frame);
  EXPECT_EQ(out.last_choice().codec, Codec::kRaw);
  out.AppendBatch(std::vector<uint8_t>(1 << 20, 0), frame);
  EXPECT_EQ(out.last_choice().codec, Codec::kZero);
}

TEST(StreamCodecTest, CutLinkIsReported) {
  const auto data = testdata::Text(3 << 20);
  auto records = FrameStream(data, 1 << 20);
  records.pop_back();  // no end frame
  auto got = Receive(records, InboundStream::Mode::kRelay);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("the link was cut"), std::string::npos) << got.status().message();
  EXPECT_NE(got.status().message().find("3145728 bytes (3 batches)"), std::string::npos)
      << got.status().message();
}

TEST(StreamCodecTest, MissingBatchIsCaughtByTheEndTotals) {
  auto records = FrameStream(testdata::Text(3 << 20), 1 << 20);
  records.erase(records.begin() + 1);
  auto got = Receive(records, InboundStream::Mode::kRelay);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("ended after 3145728 bytes in 3 batches"), std::string::npos)
      << got.status().message();
}

TEST(StreamCodecTest, CorruptBatchAbortsTheStream) {
  auto records = FrameStream(testdata::Text(2 << 20), 1 << 20);
  records[1].frame[records[1].frame.size() / 2] ^= 0x40;
  auto got = Receive(records, InboundStream::Mode::kRelay);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("batch 1"), std::string::npos) << got.status().message();
}

TEST(StreamCodecTest, FinalTagMustMatchTheFrame) {
  auto records = FrameStream(testdata::Text(1000), 1000);
  auto no_final = records;
  no_final.back().final = false;
  EXPECT_FALSE(Receive(no_final, InboundStream::Mode::kRelay).ok());
  auto early_final = records;
  early_final.front().final = true;
  EXPECT_FALSE(Receive(early_final, InboundStream::Mode::kRelay).ok());
  auto after_end = records;
  after_end.push_back(records.front());
  auto got = Receive(after_end, InboundStream::Mode::kRelay);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("after the end"), std::string::npos);
}

TEST(StreamCodecTest, AbortCarriesItsReason) {
  std::vector<Record> records(1);
  AppendAbort(records[0].frame, "source disk read error");
  records[0].final = true;
  auto got = Receive(records, InboundStream::Mode::kRelay);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("source disk read error"), std::string::npos);
}

TEST(StreamCodecTest, FileStreamWithHolesAndItsChecks) {
  OutboundStream out;
  std::vector<Record> records;
  const auto text = testdata::Text(1 << 20);
  records.push_back({});
  AppendFileBegin(records.back().frame, (1 << 20) + 4096 + 10);
  records.push_back({});
  out.AppendBatch(text, records.back().frame);
  records.push_back({});
  out.AppendHole(4096, records.back().frame);
  records.push_back({});
  out.AppendBatch(std::vector<uint8_t>(10, 7), records.back().frame);
  records.push_back({});
  out.AppendEnd(records.back().frame);
  records.back().final = true;
  auto got = Receive(records, InboundStream::Mode::kFile);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), (1u << 20) + 4096 + 10);
  EXPECT_TRUE(std::equal(text.begin(), text.end(), got->begin()));

  auto no_begin = records;
  no_begin.erase(no_begin.begin());
  EXPECT_NE(Receive(no_begin, InboundStream::Mode::kFile).status().message().find("before the file-begin"),
            std::string::npos);
  auto too_small = records;
  too_small[0].frame.clear();
  AppendFileBegin(too_small[0].frame, 1000);
  EXPECT_NE(
      Receive(too_small, InboundStream::Mode::kFile).status().message().find("beyond the declared file size"),
      std::string::npos);
  auto too_big = records;
  too_big[0].frame.clear();
  AppendFileBegin(too_big[0].frame, 1 << 30);
  EXPECT_NE(Receive(too_big, InboundStream::Mode::kFile).status().message().find("the file ended at"),
            std::string::npos);
  // Holes and file headers have no place in a relay.
  EXPECT_FALSE(Receive(records, InboundStream::Mode::kRelay).ok());
}

TEST(StreamCodecTest, ResultMode) {
  InboundStream in(InboundStream::Mode::kResult);
  std::vector<uint8_t> f;
  AppendResult(f, true, "stored 5 bytes");
  auto ev = in.OnRecord(f, true);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->kind, InboundEvent::Kind::kResult);
  EXPECT_TRUE(ev->ok);
  EXPECT_EQ(ev->text, "stored 5 bytes");
  InboundStream in2(InboundStream::Mode::kResult);
  std::vector<uint8_t> end;
  AppendEnd(end, EndFrame{});
  EXPECT_FALSE(in2.OnRecord(end, true).ok());
}

TEST(FrameTest, MalformedFrames) {
  EXPECT_FALSE(ParseFrame(std::vector<uint8_t>{}).ok());
  EXPECT_FALSE(ParseFrame(std::vector<uint8_t>{99}).ok());
  EXPECT_FALSE(ParseFrame(std::vector<uint8_t>{static_cast<uint8_t>(FrameType::kHole), 1, 2}).ok());
  std::vector<uint8_t> end;
  AppendEnd(end, EndFrame{1, 2});
  end.push_back(0);
  EXPECT_FALSE(ParseFrame(end).ok());
  std::vector<uint8_t> result{static_cast<uint8_t>(FrameType::kResult), 2};
  EXPECT_FALSE(ParseFrame(result).ok());
  std::vector<uint8_t> abort{static_cast<uint8_t>(FrameType::kAbort)};
  abort.resize(2000, 'x');
  EXPECT_FALSE(ParseFrame(abort).ok());
}

}  // namespace
}  // namespace tern::transfer
