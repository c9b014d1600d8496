#include "transfer/batch_codec.h"

#include <lz4.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "transfer/wire.h"

namespace tern::transfer {

namespace {

const uint8_t* ZeroPage() {
  static const std::vector<uint8_t> page(kPageSize, 0);
  return page.data();
}

// XXH3-128 of the raw bytes, big-endian (high half first). Not a MAC — the records are authenticated by the
// channel's AEAD — but an end-to-end check that what the receiver rebuilt (after compression, decompression
// and any bug in between) is what the sender read; XXH3 runs at memory speed, BLAKE2b would cost more than
// LZ4 itself here.
void Checksum(std::span<const uint8_t> raw, uint8_t* out) {
  const XXH128_hash_t h = XXH3_128bits(raw.data(), raw.size());
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(h.high64 >> (56 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(h.low64 >> (56 - 8 * i));
  }
}

constexpr size_t kSamplePages = 8;

}  // namespace

std::string CodecChoiceName(CodecChoice c) {
  switch (c.codec) {
    case Codec::kRaw:
      return "raw";
    case Codec::kZero:
      return "zero";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd-" + std::to_string(c.level);
  }
  return "codec-" + std::to_string(static_cast<int>(c.codec));
}

bool IsAllZero(std::span<const uint8_t> bytes) {
  size_t i = 0;
  for (; i + kPageSize <= bytes.size(); i += kPageSize) {
    if (std::memcmp(bytes.data() + i, ZeroPage(), kPageSize) != 0) return false;
  }
  return std::memcmp(bytes.data() + i, ZeroPage(), bytes.size() - i) == 0;
}

struct BatchEncoder::State {
  ZSTD_CCtx* zstd = ZSTD_createCCtx();
  std::vector<char> lz4_state = std::vector<char>(static_cast<size_t>(LZ4_sizeofState()));
  std::vector<char> scratch;
  ~State() { ZSTD_freeCCtx(zstd); }
};

BatchEncoder::BatchEncoder() : state_(std::make_unique<State>()) {}
BatchEncoder::~BatchEncoder() = default;

BatchProfile BatchEncoder::Profile(std::span<const uint8_t> raw) {
  BatchProfile p;
  p.size = raw.size();
  std::vector<size_t> nonzero_pages;
  const size_t pages = (raw.size() + kPageSize - 1) / kPageSize;
  for (size_t i = 0; i < pages; ++i) {
    const size_t off = i * kPageSize;
    const size_t len = std::min(kPageSize, raw.size() - off);
    if (len == kPageSize && std::memcmp(raw.data() + off, ZeroPage(), kPageSize) == 0) {
      p.zero_bytes += kPageSize;
    } else {
      nonzero_pages.push_back(i);
    }
  }
  if (nonzero_pages.empty()) return p;
  // LZ4 on a few pages spread over the batch: cheap (~1% of the batch) and close to what LZ-family codecs
  // will find in the rest.
  const size_t samples = std::min(kSamplePages, nonzero_pages.size());
  State& s = *state_;
  s.scratch.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(kPageSize))));
  size_t in = 0;
  size_t out = 0;
  for (size_t k = 0; k < samples; ++k) {
    const size_t page = nonzero_pages[k * nonzero_pages.size() / samples];
    const size_t off = page * kPageSize;
    const size_t len = std::min(kPageSize, raw.size() - off);
    const int n = LZ4_compress_fast_extState(
        s.lz4_state.data(), reinterpret_cast<const char*>(raw.data() + off), s.scratch.data(),
        static_cast<int>(len), static_cast<int>(s.scratch.size()), 1);
    in += len;
    out += n > 0 ? static_cast<size_t>(n) : len;
  }
  p.sample_ratio = std::min(1.0, static_cast<double>(out) / static_cast<double>(in));
  return p;
}

namespace {

// Wall time, not CPU time: on a shared machine the share of a core the sender actually gets is what limits
// the stream, and the policy should see it.
double WallSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

EncodedBatch BatchEncoder::Encode(std::span<const uint8_t> raw, CodecChoice choice,
                                  std::vector<uint8_t>& out) {
  State& s = *state_;
  EncodedBatch result;
  result.used = choice;
  const double start = WallSeconds();
  const size_t header_at = out.size();
  ByteWriter w(out);
  if (choice.codec == Codec::kZero) {
    if (!IsAllZero(raw)) choice = result.used = CodecChoice{Codec::kRaw, 0};  // caller's mistake: stay exact
  }
  w.U8(static_cast<uint8_t>(choice.codec));
  w.U8(static_cast<uint8_t>(static_cast<int8_t>(choice.level)));
  w.U32(static_cast<uint32_t>(raw.size()));
  if (choice.codec == Codec::kZero) {
    result.seconds = WallSeconds() - start;
    return result;
  }
  const size_t checksum_at = out.size();
  out.resize(out.size() + kChecksumSize);
  Checksum(raw, out.data() + checksum_at);
  const size_t payload_at = out.size();
  size_t compressed = raw.size();
  bool compressed_ok = false;
  if (choice.codec == Codec::kLz4) {
    const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
    out.resize(payload_at + static_cast<size_t>(bound));
    const int n = LZ4_compress_fast_extState(s.lz4_state.data(), reinterpret_cast<const char*>(raw.data()),
                                             reinterpret_cast<char*>(out.data() + payload_at),
                                             static_cast<int>(raw.size()), bound, 1);
    if (n > 0) {
      compressed = static_cast<size_t>(n);
      compressed_ok = true;
    }
  } else if (choice.codec == Codec::kZstd) {
    const size_t bound = ZSTD_compressBound(raw.size());
    out.resize(payload_at + bound);
    const size_t n =
        ZSTD_compressCCtx(s.zstd, out.data() + payload_at, bound, raw.data(), raw.size(), choice.level);
    if (!ZSTD_isError(n)) {
      compressed = n;
      compressed_ok = true;
    }
  }
  result.compressed = compressed;
  // Compression pays only if it saves at least 2%; otherwise the receiver should not spend time on it.
  if (!compressed_ok || compressed * 50 > raw.size() * 49) {
    out[header_at] = static_cast<uint8_t>(Codec::kRaw);
    out[header_at + 1] = 0;
    out.resize(payload_at);
    out.insert(out.end(), raw.begin(), raw.end());
    result.used = CodecChoice{Codec::kRaw, 0};
  } else {
    out.resize(payload_at + compressed);
  }
  result.seconds = WallSeconds() - start;
  return result;
}

struct BatchDecoder::State {
  ZSTD_DCtx* zstd = ZSTD_createDCtx();
  ~State() { ZSTD_freeDCtx(zstd); }
};

BatchDecoder::BatchDecoder() : state_(std::make_unique<State>()) {}
BatchDecoder::~BatchDecoder() = default;

Status BatchDecoder::Decode(std::span<const uint8_t> body, uint64_t batch_index, std::vector<uint8_t>& raw) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("batch " + std::to_string(batch_index) + ": " + why);
  };
  ByteReader r(body);
  uint8_t codec = 0;
  uint8_t level = 0;
  uint32_t raw_len = 0;
  if (!r.U8(codec) || !r.U8(level) || !r.U32(raw_len)) return bad("truncated batch header");
  if (codec > static_cast<uint8_t>(Codec::kZstd)) return bad("unknown codec " + std::to_string(codec));
  if (raw_len > kMaxBatchSize) {
    return bad("declares " + std::to_string(raw_len) + " bytes, more than the " +
               std::to_string(kMaxBatchSize) + "-byte limit");
  }
  if (static_cast<Codec>(codec) == Codec::kZero) {
    if (!r.AtEnd()) return bad("zero batch carries a payload");
    raw.assign(raw_len, 0);
    return Status::Ok();
  }
  std::array<uint8_t, kChecksumSize> expected{};
  if (!r.Bytes(expected)) return bad("truncated checksum");
  const std::span<const uint8_t> payload = r.Rest();
  raw.resize(raw_len);
  switch (static_cast<Codec>(codec)) {
    case Codec::kRaw:
      if (payload.size() != raw_len) {
        return bad("raw payload is " + std::to_string(payload.size()) + " bytes, the header says " +
                   std::to_string(raw_len) + " (truncated or padded)");
      }
      std::copy(payload.begin(), payload.end(), raw.begin());
      break;
    case Codec::kLz4: {
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(payload.data()),
                                        reinterpret_cast<char*>(raw.data()), static_cast<int>(payload.size()),
                                        static_cast<int>(raw_len));
      if (n < 0 || static_cast<uint32_t>(n) != raw_len) return bad("lz4 payload is corrupt or truncated");
      break;
    }
    case Codec::kZstd: {
      const size_t n =
          ZSTD_decompressDCtx(state_->zstd, raw.data(), raw.size(), payload.data(), payload.size());
      if (ZSTD_isError(n))
        return bad(std::string("zstd payload is corrupt or truncated: ") + ZSTD_getErrorName(n));
      if (n != raw_len) {
        return bad("zstd payload decompresses to " + std::to_string(n) + " bytes, the header says " +
                   std::to_string(raw_len));
      }
      break;
    }
    case Codec::kZero:
      break;
  }
  std::array<uint8_t, kChecksumSize> actual{};
  Checksum(raw, actual.data());
  if (actual != expected) return bad("checksum mismatch: the data was corrupted between sender and receiver");
  return Status::Ok();
}

}  // namespace tern::transfer
