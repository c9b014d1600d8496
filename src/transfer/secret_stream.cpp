#include "transfer/secret_stream.h"

#include <string>

namespace tern::transfer {

SecretStreamPush::SecretStreamPush(const StreamKey& key, StreamHeader& header) {
  crypto_secretstream_xchacha20poly1305_init_push(&state_, header.data(), key.data());
}

void SecretStreamPush::Seal(std::span<const uint8_t> plain, bool final, std::vector<uint8_t>& out) {
  const size_t at = out.size();
  out.resize(at + plain.size() + kRecordOverhead);
  crypto_secretstream_xchacha20poly1305_push(&state_, out.data() + at, nullptr, plain.data(), plain.size(),
                                             nullptr, 0,
                                             final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                                   : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
}

SecretStreamPull::SecretStreamPull(const StreamKey& key, const StreamHeader& header) {
  valid_ = crypto_secretstream_xchacha20poly1305_init_pull(&state_, header.data(), key.data()) == 0;
}

Result<bool> SecretStreamPull::Open(std::span<const uint8_t> cipher, std::vector<uint8_t>& plain) {
  const uint64_t index = records_++;
  if (!valid_) return Status::InvalidArgument("record " + std::to_string(index) + ": invalid stream header");
  if (cipher.size() < kRecordOverhead) {
    return Status::InvalidArgument("record " + std::to_string(index) +
                                   " is shorter than its authentication tag");
  }
  plain.resize(cipher.size() - kRecordOverhead);
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, plain.data(), nullptr, &tag, cipher.data(),
                                                 cipher.size(), nullptr, 0) != 0) {
    valid_ = false;  // the stream cannot continue after a forgery
    return Status::InvalidArgument("record " + std::to_string(index) +
                                   " does not authenticate: corrupted, truncated, reordered or forged");
  }
  return tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
}

}  // namespace tern::transfer
