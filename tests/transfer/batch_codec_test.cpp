// Batch codec: every codec round-trips byte-exact; zero data costs almost nothing; incompressible data falls
// back to raw; and every corrupt or truncated batch is detected with a message naming the batch and the
// fault.
#include "transfer/batch_codec.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace tern::transfer {
namespace {

std::vector<uint8_t> EncodeBody(BatchEncoder& enc, const std::vector<uint8_t>& raw, CodecChoice c,
                                EncodedBatch* info = nullptr) {
  std::vector<uint8_t> out;
  const EncodedBatch e = enc.Encode(raw, c, out);
  if (info != nullptr) *info = e;
  return out;
}

TEST(BatchCodecTest, EveryCodecRoundTrips) {
  BatchEncoder enc;
  BatchDecoder dec;
  const auto text = testdata::Text(1 << 20);
  for (const CodecChoice c : {CodecChoice{Codec::kRaw, 0}, CodecChoice{Codec::kLz4, 0},
                              CodecChoice{Codec::kZstd, 1}, CodecChoice{Codec::kZstd, 9}}) {
    EncodedBatch info;
    const auto body = EncodeBody(enc, text, c, &info);
    EXPECT_EQ(info.used, c) << CodecChoiceName(c);
    if (c.codec != Codec::kRaw) {
      EXPECT_LT(body.size(), text.size() / 2) << CodecChoiceName(c);
    }
    std::vector<uint8_t> back;
    ASSERT_TRUE(dec.Decode(body, 0, back).ok()) << CodecChoiceName(c);
    EXPECT_EQ(back, text) << CodecChoiceName(c);
  }
}

TEST(BatchCodecTest, ZeroBatchIsAHeaderOnly) {
  BatchEncoder enc;
  BatchDecoder dec;
  const std::vector<uint8_t> zeros(kMaxBatchSize, 0);
  const auto body = EncodeBody(enc, zeros, {Codec::kZero, 0});
  EXPECT_EQ(body.size(), kBatchHeaderSize);
  std::vector<uint8_t> back;
  ASSERT_TRUE(dec.Decode(body, 0, back).ok());
  EXPECT_EQ(back, zeros);
  // Asking for zero on data that is not zero stays exact (raw).
  auto almost = zeros;
  almost[12345] = 1;
  EncodedBatch info;
  const auto body2 = EncodeBody(enc, almost, {Codec::kZero, 0}, &info);
  EXPECT_EQ(info.used.codec, Codec::kRaw);
  ASSERT_TRUE(dec.Decode(body2, 0, back).ok());
  EXPECT_EQ(back, almost);
}

TEST(BatchCodecTest, IncompressibleDataFallsBackToRaw) {
  BatchEncoder enc;
  const auto random = testdata::Random(1 << 20);
  EncodedBatch info;
  const auto body = EncodeBody(enc, random, {Codec::kZstd, 3}, &info);
  EXPECT_EQ(info.used.codec, Codec::kRaw);
  EXPECT_GE(info.compressed, random.size() * 98 / 100);
  EXPECT_EQ(body.size(), kBatchHeaderSize + kChecksumSize + random.size());
}

TEST(BatchCodecTest, ProfileSeesZeroPagesAndCompressibility) {
  BatchEncoder enc;
  const BatchProfile zero = enc.Profile(std::vector<uint8_t>(1 << 20, 0));
  EXPECT_EQ(zero.zero_bytes, zero.size);
  const BatchProfile random = enc.Profile(testdata::Random(1 << 20));
  EXPECT_EQ(random.zero_bytes, 0u);
  EXPECT_GT(random.sample_ratio, 0.99);
  const BatchProfile text = enc.Profile(testdata::Text(1 << 20));
  EXPECT_LT(text.sample_ratio, 0.7);
  const BatchProfile half = enc.Profile(testdata::ZeroHeavy(1 << 20, 0.5));
  EXPECT_GT(half.zero_bytes, (1u << 20) * 4 / 10);
  EXPECT_LT(half.zero_bytes, (1u << 20) * 6 / 10);
  // A trailing partial page is never counted as zero.
  const BatchProfile odd = enc.Profile(std::vector<uint8_t>(5000, 0));
  EXPECT_EQ(odd.zero_bytes, 4096u);
}

class CorruptBatchTest : public ::testing::Test {
 protected:
  void ExpectRejected(std::vector<uint8_t> body, const std::string& part) {
    std::vector<uint8_t> back;
    const Status s = dec_.Decode(body, 7, back);
    ASSERT_FALSE(s.ok()) << part;
    EXPECT_NE(s.message().find("batch 7"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(part), std::string::npos) << s.message();
  }
  BatchEncoder enc_;
  BatchDecoder dec_;
  std::vector<uint8_t> text_ = testdata::Text(256 << 10);
};

TEST_F(CorruptBatchTest, FlippedPayloadBitInEachCodec) {
  for (const CodecChoice c :
       {CodecChoice{Codec::kRaw, 0}, CodecChoice{Codec::kLz4, 0}, CodecChoice{Codec::kZstd, 3}}) {
    auto body = EncodeBody(enc_, text_, c);
    body[body.size() / 2] ^= 0x10;
    std::vector<uint8_t> back;
    const Status s = dec_.Decode(body, 7, back);
    EXPECT_FALSE(s.ok()) << CodecChoiceName(c);
  }
  auto raw = EncodeBody(enc_, text_, {Codec::kRaw, 0});
  raw[raw.size() - 1] ^= 1;
  ExpectRejected(raw, "checksum mismatch");
}

TEST_F(CorruptBatchTest, FlippedChecksum) {
  auto body = EncodeBody(enc_, text_, {Codec::kLz4, 0});
  body[kBatchHeaderSize] ^= 1;
  ExpectRejected(body, "checksum mismatch");
}

TEST_F(CorruptBatchTest, TruncatedAnywhere) {
  auto body = EncodeBody(enc_, text_, {Codec::kZstd, 3});
  ExpectRejected(std::vector<uint8_t>(body.begin(), body.begin() + 3), "truncated batch header");
  ExpectRejected(std::vector<uint8_t>(body.begin(), body.begin() + kBatchHeaderSize + 5),
                 "truncated checksum");
  ExpectRejected(std::vector<uint8_t>(body.begin(), body.end() - 10), "zstd payload");
  auto lz4 = EncodeBody(enc_, text_, {Codec::kLz4, 0});
  ExpectRejected(std::vector<uint8_t>(lz4.begin(), lz4.end() - 10), "lz4 payload");
  auto raw = EncodeBody(enc_, text_, {Codec::kRaw, 0});
  ExpectRejected(std::vector<uint8_t>(raw.begin(), raw.end() - 1), "truncated or padded");
}

TEST_F(CorruptBatchTest, BadHeaderFields) {
  auto body = EncodeBody(enc_, text_, {Codec::kRaw, 0});
  auto unknown = body;
  unknown[0] = 9;
  ExpectRejected(unknown, "unknown codec 9");
  auto huge = body;
  huge[2] = 0x7f;
  ExpectRejected(huge, "more than the");
  auto wrong_len = EncodeBody(enc_, text_, {Codec::kZstd, 3});
  wrong_len[5] ^= 1;  // raw length off by one
  ExpectRejected(wrong_len, "zstd payload");
  auto zero = EncodeBody(enc_, std::vector<uint8_t>(4096, 0), {Codec::kZero, 0});
  zero.push_back(0);
  ExpectRejected(zero, "zero batch carries a payload");
}

}  // namespace
}  // namespace tern::transfer
