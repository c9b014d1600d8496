#include "net/offload.h"

#include <gtest/gtest.h>

#include <cstring>

#include "net/byte_io.h"

namespace tern::net {
namespace {

// An Ethernet + IPv4 + TCP frame with `payload` bytes; checksums left as a NIC with offloads would see them.
std::vector<uint8_t> TcpFrame(size_t payload) {
  std::vector<uint8_t> f(14 + 20 + 20 + payload);
  for (size_t i = 0; i < payload; ++i) f[54 + i] = static_cast<uint8_t>(i * 7);
  f[12] = 0x08;
  f[6] = 0x52;
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  StoreBe16(ip + 2, static_cast<uint16_t>(40 + payload));
  ip[8] = 64;
  ip[9] = 6;
  StoreBe32(ip + 12, 0x0a000001);
  StoreBe32(ip + 16, 0x0a000002);
  uint8_t* tcp = ip + 20;
  StoreBe16(tcp, 1234);
  StoreBe16(tcp + 2, 80);
  StoreBe32(tcp + 4, 1000);
  tcp[12] = 0x50;
  tcp[13] = 0x18;  // PSH ACK
  return f;
}

bool TcpChecksumOk(const std::vector<uint8_t>& f) {
  const uint8_t* ip = f.data() + 14;
  const size_t tcp_len = LoadBe16(ip + 2) - 20u;
  uint32_t pseudo = LoadBe16(ip + 12) + LoadBe16(ip + 14) + LoadBe16(ip + 16) + LoadBe16(ip + 18) + 6 +
                    static_cast<uint32_t>(tcp_len);
  return OnesComplementSum({ip + 20, tcp_len}, pseudo) == 0xffff;
}

TEST(OffloadTest, SegmentsTcpV4) {
  auto f = TcpFrame(4000);
  VnetHdr v;
  v.flags = kVnetFlagNeedsCsum;
  v.gso_type = kVnetGsoTcpV4;
  v.gso_size = 1448;
  v.csum_start = 34;
  v.csum_offset = 16;
  std::vector<uint8_t> scratch;
  std::vector<std::vector<uint8_t>> out;
  ASSERT_TRUE(ResolveOffloads(v, f, scratch, [&](auto s) { out.emplace_back(s.begin(), s.end()); }));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].size(), 54u + 1448);
  EXPECT_EQ(out[2].size(), 54u + 4000 - 2 * 1448);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(TcpChecksumOk(out[i])) << i;
    EXPECT_EQ(OnesComplementSum({out[i].data() + 14, 20}), 0xffff) << i;  // IP header checksum
    EXPECT_EQ(LoadBe32(out[i].data() + 38), 1000u + i * 1448);
    EXPECT_EQ(out[i][47] & 0x08, i == 2 ? 0x08 : 0);  // PSH only on the last
    EXPECT_EQ(std::memcmp(out[i].data() + 54, f.data() + 54 + i * 1448, out[i].size() - 54), 0);
  }
}

TEST(OffloadTest, CompletesChecksum) {
  auto f = TcpFrame(100);
  // Partial checksum: the pseudo-header sum in the field, as the kernel leaves it.
  uint32_t pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 120;
  StoreBe16(f.data() + 34 + 16, OnesComplementSum({}, pseudo));
  VnetHdr v;
  v.flags = kVnetFlagNeedsCsum;
  v.csum_start = 34;
  v.csum_offset = 16;
  std::vector<uint8_t> scratch;
  std::vector<std::vector<uint8_t>> out;
  ASSERT_TRUE(ResolveOffloads(v, f, scratch, [&](auto s) { out.emplace_back(s.begin(), s.end()); }));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(TcpChecksumOk(out[0]));
}

TEST(OffloadTest, RejectsUnsupported) {
  auto f = TcpFrame(100);
  VnetHdr v;
  v.gso_type = kVnetGsoUdp;
  v.gso_size = 10;
  std::vector<uint8_t> scratch;
  EXPECT_FALSE(ResolveOffloads(v, f, scratch, [](auto) {}));
  v.gso_type = kVnetGsoTcpV4;
  f.resize(40);
  EXPECT_FALSE(ResolveOffloads(v, f, scratch, [](auto) {}));
  v.flags = kVnetFlagNeedsCsum;
  v.gso_type = 0;
  v.csum_start = 200;
  EXPECT_FALSE(ResolveOffloads(v, f, scratch, [](auto) {}));
}

}  // namespace
}  // namespace tern::net
