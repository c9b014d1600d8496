#include "net/encapsulation.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <vector>

namespace tern::net {
namespace {

NetworkKey Key(const std::string& name, uint8_t fill, bool encrypt = false, Cipher cipher = Cipher::kAuto) {
  std::vector<uint8_t> secret(32, fill);
  auto k = NetworkKey::Derive(name, secret, encrypt, cipher);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return *k;
}

std::vector<uint8_t> Sealed(const NetworkKey& key, const std::string& payload, uint64_t seq = 1) {
  std::vector<uint8_t> buf(kSealOverhead + payload.size());
  std::memcpy(buf.data() + kSealedHeaderSize, payload.data(), payload.size());
  SealedHeader h;
  h.network_id = key.id;
  h.sender_id = 0x1234;
  h.sequence = seq;
  buf.resize(Seal(key, h, buf.data(), payload.size()));
  return buf;
}

TEST(EncapsulationTest, RoundTripAuthenticated) {
  const auto key = Key("blue", 7);
  auto msg = Sealed(key, "hello frame");
  EXPECT_EQ(std::memcmp(msg.data() + kSealedHeaderSize, "hello frame", 11), 0);  // not encrypted
  SealedHeader h;
  size_t off = 0, len = 0;
  ASSERT_EQ(Open(key, msg, h, off, len), OpenError::kNone);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(msg.data() + off), len), "hello frame");
  EXPECT_EQ(h.sender_id, 0x1234u);
  EXPECT_EQ(h.sequence, 1u);
}

TEST(EncapsulationTest, RoundTripEncrypted) {
  const auto key = Key("blue", 7, true);
  auto msg = Sealed(key, "secret frame");
  EXPECT_NE(std::memcmp(msg.data() + kSealedHeaderSize, "secret frame", 12), 0);
  SealedHeader h;
  size_t off = 0, len = 0;
  ASSERT_EQ(Open(key, msg, h, off, len), OpenError::kNone);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(msg.data() + off), len), "secret frame");
}

TEST(EncapsulationTest, BothCiphersRoundTripAndInteroperate) {
  std::vector<Cipher> ciphers{Cipher::kXChaCha20Poly1305};
  if (crypto_aead_aes256gcm_is_available()) ciphers.push_back(Cipher::kAes256Gcm);
  for (Cipher c : ciphers) {
    for (bool enc : {false, true}) {
      const auto sealer = Key("blue", 7, enc, c);
      const auto opener =
          Key("blue", 7, enc, c == Cipher::kAes256Gcm ? Cipher::kXChaCha20Poly1305 : Cipher::kAuto);
      auto msg = Sealed(sealer, "payload bytes", 9);
      SealedHeader h;
      size_t off = 0, len = 0;
      ASSERT_EQ(Open(opener, msg, h, off, len), OpenError::kNone) << static_cast<int>(c) << enc;
      EXPECT_EQ(std::string(reinterpret_cast<char*>(msg.data() + off), len), "payload bytes");
      auto forged = Sealed(Key("blue", 8, enc, c), "payload bytes", 9);
      EXPECT_EQ(Open(opener, forged, h, off, len), OpenError::kBadAuth);
      msg = Sealed(sealer, "payload bytes", 10);
      msg[msg.size() - 1] ^= 0x80;
      EXPECT_EQ(Open(opener, msg, h, off, len), OpenError::kBadAuth);
    }
  }
}

TEST(EncapsulationTest, RejectsTamperingForgeryAndOtherNetworks) {
  const auto blue = Key("blue", 7);
  SealedHeader h;
  size_t off = 0, len = 0;
  auto msg = Sealed(blue, "frame");
  msg[kSealedHeaderSize] ^= 1;
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kBadAuth);
  msg = Sealed(blue, "frame");
  msg[20] ^= 1;  // sequence (part of the nonce)
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kBadAuth);
  // Same name, other secret: same id, tag fails.
  msg = Sealed(Key("blue", 8), "frame");
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kBadAuth);
  // Same secret, other network: other id and key.
  msg = Sealed(Key("red", 7), "frame");
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kWrongNetwork);
  // Encrypted vs authenticated-only mismatch.
  msg = Sealed(Key("blue", 7, true), "frame");
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kBadAuth);
  std::vector<uint8_t> shortmsg(kSealOverhead - 1);
  EXPECT_EQ(Open(blue, shortmsg, h, off, len), OpenError::kTruncated);
  msg = Sealed(blue, "frame");
  msg[0] = 9;
  EXPECT_EQ(Open(blue, msg, h, off, len), OpenError::kBadVersion);
}

TEST(EncapsulationTest, DerivedKeysDifferPerNetwork) {
  const auto a = Key("blue", 1);
  const auto b = Key("red", 1);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.key, b.key);
  std::vector<uint8_t> tiny(4, 1);
  EXPECT_FALSE(NetworkKey::Derive("blue", tiny, false).ok());
  EXPECT_FALSE(NetworkKey::Derive("", std::vector<uint8_t>(32, 1), false).ok());
}

TEST(EncapsulationTest, KeyFileErrorsNameTheFile) {
  auto k = NetworkKey::FromKeyFile("blue", "/nonexistent/key", false);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("blue"), std::string::npos);
  EXPECT_NE(k.status().message().find("/nonexistent/key"), std::string::npos);
}

}  // namespace
}  // namespace tern::net
