// The signature base against RFC 9421's own example (Appendix B.2.6, "Signing a Request Using ed25519", with
// the test-key-ed25519 of B.1.4): same base text and, Ed25519 being deterministic, the same signature bytes.
// Content-Digest against RFC 9530's example.
#include "federation/signature_base.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "federation/content_digest.h"
#include "federation/request_signer.h"
#include "federation/site_key.h"

namespace tern::federation {
namespace {

// RFC 9421 B.1.4: PKCS#8 / SPKI DER of test-key-ed25519; the raw key is the last 32 bytes of each.
constexpr char kRfcPrivateDer[] = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
constexpr char kRfcPublicDer[] = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
// RFC 9421 B.2.6.
constexpr char kRfcSignatureInput[] =
    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");"
    "created=1618884473;keyid=\"test-key-ed25519\"";
constexpr char kRfcSignature[] =
    "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
constexpr char kRfcBase[] =
    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
    "\"@method\": POST\n"
    "\"@path\": /foo\n"
    "\"@authority\": example.com\n"
    "\"content-type\": application/json\n"
    "\"content-length\": 18\n"
    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
    "\"content-length\")"
    ";created=1618884473;keyid=\"test-key-ed25519\"";

// RFC 9421 §2.4's test-request.
HttpRequest RfcTestRequest() {
  HttpRequest r;
  r.method = "POST";
  r.target_uri = "https://example.com/foo?param=Value&Pet=dog";
  r.headers = {{"Host", "example.com"},
               {"Date", "Tue, 20 Apr 2021 02:07:55 GMT"},
               {"Content-Type", "application/json"},
               {"Content-Length", "18"}};
  r.body = "{\"hello\": \"world\"}";
  return r;
}

std::string Tail32(const char* der_base64) {
  const std::string der = Base64Decode(der_base64, "der").value();
  return der.substr(der.size() - 32);
}

TEST(SignatureBaseTest, MatchesRfc9421Ed25519Example) {
  auto dict = sf::ParseDictionary(kRfcSignatureInput, "Signature-Input");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  const auto& covered = std::get<sf::InnerList>((*dict)[0].second);
  const HttpRequest request = RfcTestRequest();
  std::vector<std::string> values;
  for (const auto& id : covered.items) {
    auto v = ComponentValue(request, id);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    values.push_back(*v);
  }
  auto base = BuildSignatureBase(covered, values);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(*base, kRfcBase);

  const std::string seed = Tail32(kRfcPrivateDer);
  auto key = SiteKey::FromSeed(std::span(reinterpret_cast<const uint8_t*>(seed.data()), seed.size()));
  ASSERT_TRUE(key.ok());
  const std::string pub = Tail32(kRfcPublicDer);
  EXPECT_EQ(std::string(key->public_key().begin(), key->public_key().end()), pub);
  const Signature sig = key->Sign(std::span(reinterpret_cast<const uint8_t*>(base->data()), base->size()));
  EXPECT_EQ(Base64Encode(std::string(sig.begin(), sig.end())), kRfcSignature);

  const std::string rfc_sig = Base64Decode(kRfcSignature, "sig").value();
  EXPECT_TRUE(VerifySignature(key->public_key(),
                              std::span(reinterpret_cast<const uint8_t*>(base->data()), base->size()),
                              std::span(reinterpret_cast<const uint8_t*>(rfc_sig.data()), rfc_sig.size())));
}

// The example of docs/protocol.md §3: a tern request signed with the RFC's test key and a fixed nonce.
TEST(SignatureBaseTest, TernExampleFromProtocolDoc) {
  const std::string seed = Tail32(kRfcPrivateDer);
  auto key = SiteKey::FromSeed(std::span(reinterpret_cast<const uint8_t*>(seed.data()), seed.size()));
  ASSERT_TRUE(key.ok());
  HttpRequest r;
  r.method = "POST";
  r.target_uri = "https://beta.example:8443/v1/federation/migration-requests";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{\"vm\":\"web-1\"}";
  RequestSigner signer(*key, "alpha");
  ASSERT_TRUE(signer.SignWithNonce(r, 1700000000, "9b7d1cJ3kzqo4Qw0gHf2Ag==").ok());
  EXPECT_EQ(r.Header("Content-Digest"), "sha-256=:GjCUKXvx2HIYtFqBnRKMhe+7kixpP2YWeHu00RoGfyM=:");
  EXPECT_EQ(r.Header("Signature-Input"),
            "tern=(\"@method\" \"@target-uri\" \"content-digest\");created=1700000000;"
            "nonce=\"9b7d1cJ3kzqo4Qw0gHf2Ag==\";keyid=\"alpha\";alg=\"ed25519\"");
  EXPECT_EQ(
      r.Header("Signature"),
      "tern=:LrofJ3kCHfvtB20AgII+mXe43bTT6+63EItaWVk3Hzpimb7NwA0iM8WljOVGEem1JUGo6i9WqcZ59MbfVDCrDg==:");
}

TEST(SignatureBaseTest, DerivedComponents) {
  HttpRequest r;
  r.method = "GET";
  r.target_uri = "HTTPS://Example.COM:443/a/b?x=1&y=2#frag";
  const auto value = [&](const char* id) { return ComponentValue(r, sf::Item{std::string(id), {}}).value(); };
  EXPECT_EQ(value("@authority"), "example.com");
  EXPECT_EQ(value("@scheme"), "https");
  EXPECT_EQ(value("@path"), "/a/b");
  EXPECT_EQ(value("@query"), "?x=1&y=2");
  EXPECT_EQ(value("@request-target"), "/a/b?x=1&y=2");
  r.target_uri = "http://h:8080";
  EXPECT_EQ(value("@authority"), "h:8080");
  EXPECT_EQ(value("@path"), "/");
  EXPECT_EQ(value("@query"), "?");
}

TEST(SignatureBaseTest, RefusesUnsupportedOrInvalidComponents) {
  HttpRequest r = RfcTestRequest();
  EXPECT_FALSE(ComponentValue(r, sf::Item{std::string("@status"), {}}).ok());
  EXPECT_FALSE(ComponentValue(r, sf::Item{std::string("Content-Type"), {}}).ok());
  EXPECT_FALSE(ComponentValue(r, sf::Item{std::string("x-absent"), {}}).ok());
  EXPECT_FALSE(ComponentValue(r, sf::Item{std::string("content-type"), {{"sf", true}}}).ok());
  EXPECT_FALSE(ComponentValue(r, sf::Item{int64_t{1}, {}}).ok());

  sf::InnerList covered;
  covered.items = {{std::string("@method"), {}}, {std::string("@method"), {}}};
  EXPECT_FALSE(BuildSignatureBase(covered, {"POST", "POST"}).ok());
  covered.items = {{std::string("x-a"), {}}};
  EXPECT_FALSE(BuildSignatureBase(covered, {"a\nb"}).ok());
  EXPECT_FALSE(BuildSignatureBase(covered, {}).ok());
}

TEST(ContentDigestTest, MatchesRfc9530ExampleAndDetectsTampering) {
  const std::string body = "{\"hello\": \"world\"}";
  EXPECT_EQ(ContentDigest(body), "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  EXPECT_TRUE(CheckContentDigest(ContentDigest(body), body).ok());
  EXPECT_TRUE(CheckContentDigest("sha-512=:AAAA:, " + ContentDigest(body), body).ok());
  EXPECT_EQ(CheckContentDigest(ContentDigest(body), body + " ").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckContentDigest("sha-512=:AAAA:", body).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckContentDigest("sha-256=:AAAA:", body).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckContentDigest("sha-256=1", body).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckContentDigest("garbage", body).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tern::federation
