// Signed cross-site requests: a request signed by one site verifies at its partner, and each way of getting
// it wrong is refused with its own failure code and a reason that names the problem. A refused request never
// burns its nonce.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "federation/request_signer.h"
#include "federation/request_verifier.h"
#include "federation/structured_fields.h"
#include "federation/trust_store.h"

namespace tern::federation {
namespace {

constexpr int64_t kNow = 1700000000;

SiteKey KeyFromByte(uint8_t b) {
  std::array<uint8_t, 32> seed;
  seed.fill(b);
  return SiteKey::FromSeed(seed).value();
}

class RequestSignatureTest : public ::testing::Test {
 protected:
  RequestSignatureTest()
      : alpha_key_(KeyFromByte(1)),
        mallory_key_(KeyFromByte(2)),
        trust_(TrustStore::InMemory("beta")),
        verifier_([this](std::string_view site) { return trust_.AcceptedKey(site); }, 300, 1000) {
    Partner alpha;
    alpha.name = "alpha";
    alpha.url = "https://alpha.example";
    alpha.public_key = alpha_key_.public_key();
    EXPECT_TRUE(trust_.Add(alpha).ok());
    Partner gamma;
    gamma.name = "gamma";
    gamma.url = "https://gamma.example";
    gamma.public_key = KeyFromByte(3).public_key();
    gamma.policy = PartnerPolicy::kDeny;
    EXPECT_TRUE(trust_.Add(gamma).ok());
  }

  static HttpRequest Request() {
    HttpRequest r;
    r.method = "POST";
    r.target_uri = "https://beta.example:8443/v1/federation/migration-requests";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = R"({"vm":"web-1","descriptor":{"memory_mib":256}})";
    return r;
  }

  HttpRequest Signed(int64_t created = kNow, const std::string& site = "alpha") {
    HttpRequest r = Request();
    RequestSigner signer(site == "mallory" ? mallory_key_ : alpha_key_, site == "mallory" ? "alpha" : site);
    EXPECT_TRUE(signer.Sign(r, created).ok());
    return r;
  }

  void ExpectRefused(const HttpRequest& r, SignatureFailure f, const std::string& reason_part) {
    const SignatureCheck check = verifier_.Verify(r, kNow);
    EXPECT_EQ(check.failure, f) << SignatureFailureName(check.failure) << ": " << check.reason;
    EXPECT_NE(check.reason.find(reason_part), std::string::npos) << check.reason;
    EXPECT_EQ(check.ToStatus().code(), StatusCode::kPermissionDenied);
  }

  SiteKey alpha_key_;
  SiteKey mallory_key_;
  TrustStore trust_;
  RequestVerifier verifier_;
};

TEST_F(RequestSignatureTest, RoundTrip) {
  const HttpRequest r = Signed();
  const std::string input = r.Header("Signature-Input").value();
  EXPECT_EQ(
      input.rfind("tern=(\"@method\" \"@target-uri\" \"content-digest\");created=1700000000;nonce=\"", 0), 0u)
      << input;
  EXPECT_NE(input.find(";keyid=\"alpha\";alg=\"ed25519\""), std::string::npos) << input;
  EXPECT_TRUE(r.Header("Content-Digest")->starts_with("sha-256=:"));
  const SignatureCheck check = verifier_.Verify(r, kNow + 10);
  EXPECT_TRUE(check.ok()) << check.reason;
  EXPECT_EQ(check.site, "alpha");
}

TEST_F(RequestSignatureTest, NoncesAreFreshPerRequest) {
  const HttpRequest a = Signed();
  const HttpRequest b = Signed();
  EXPECT_NE(a.Header("Signature-Input"), b.Header("Signature-Input"));
  EXPECT_TRUE(verifier_.Verify(a, kNow).ok());
  EXPECT_TRUE(verifier_.Verify(b, kNow).ok());
}

TEST_F(RequestSignatureTest, ReplayedRequestIsRefused) {
  const HttpRequest r = Signed();
  ASSERT_TRUE(verifier_.Verify(r, kNow).ok());
  ExpectRefused(r, SignatureFailure::kReplayed, "already used");
}

TEST_F(RequestSignatureTest, MissingSignatureFields) {
  HttpRequest r = Signed();
  r.SetHeader("Signature", "x");
  std::erase_if(r.headers, [](const auto& h) { return h.first == "Signature"; });
  ExpectRefused(r, SignatureFailure::kMissingSignature, "no Signature field");
  ExpectRefused(Request(), SignatureFailure::kMissingSignature, "Signature-Input");
}

TEST_F(RequestSignatureTest, UnknownAndDeniedSites) {
  HttpRequest r = Request();
  RequestSigner stranger(mallory_key_, "delta");
  ASSERT_TRUE(stranger.Sign(r, kNow).ok());
  ExpectRefused(r, SignatureFailure::kUnknownKey, "unknown key id 'delta'");

  HttpRequest g = Request();
  const SiteKey gamma_key = KeyFromByte(3);
  RequestSigner gamma(gamma_key, "gamma");
  ASSERT_TRUE(gamma.Sign(g, kNow).ok());
  ExpectRefused(g, SignatureFailure::kDeniedSite, "denied by policy");
}

TEST_F(RequestSignatureTest, SignatureByTheWrongKeyIsBad) {
  ExpectRefused(Signed(kNow, "mallory"), SignatureFailure::kBadSignature, "does not verify");
}

TEST_F(RequestSignatureTest, TamperedMethodTargetOrSignatureIsBad) {
  HttpRequest m = Signed();
  m.method = "DELETE";
  ExpectRefused(m, SignatureFailure::kBadSignature, "site 'alpha'");
  HttpRequest t = Signed();
  t.target_uri = "https://beta.example:8443/v1/federation/forced-migrations";
  ExpectRefused(t, SignatureFailure::kBadSignature, "does not verify");
  HttpRequest s = Signed();
  std::string sig = s.Header("Signature").value();
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  s.SetHeader("Signature", sig);
  ExpectRefused(s, SignatureFailure::kBadSignature, "does not verify");
}

TEST_F(RequestSignatureTest, TamperedParametersAreBad) {
  HttpRequest r = Signed();
  std::string input = r.Header("Signature-Input").value();
  input.replace(input.find("created=1700000000"), 18, "created=1700000001");
  r.SetHeader("Signature-Input", input);
  ExpectRefused(r, SignatureFailure::kBadSignature, "does not verify");
}

TEST_F(RequestSignatureTest, BodyNotMatchingDigest) {
  HttpRequest r = Signed();
  r.body += " ";
  ExpectRefused(r, SignatureFailure::kDigestMismatch, "does not match its Content-Digest");
  HttpRequest d = Signed();
  d.SetHeader("Content-Digest", "sha-512=:AAAA:");
  ExpectRefused(d, SignatureFailure::kDigestMismatch, "no sha-256");
  HttpRequest a = Signed();
  std::erase_if(a.headers, [](const auto& h) { return h.first == "Content-Digest"; });
  ExpectRefused(a, SignatureFailure::kMissingComponent, "field is absent");
}

TEST_F(RequestSignatureTest, OutsideTheTimeWindow) {
  ExpectRefused(Signed(kNow - 301), SignatureFailure::kStale, "301 s in the past");
  ExpectRefused(Signed(kNow + 400), SignatureFailure::kStale, "400 s in the future");
  EXPECT_TRUE(verifier_.Verify(Signed(kNow - 300), kNow).ok());
}

TEST_F(RequestSignatureTest, MissingCoveredComponents) {
  // A correctly signed request that covers only @method and content-digest.
  HttpRequest r = Request();
  r.SetHeader("Content-Digest", "sha-256=:" + std::string("x") + ":");
  RequestSigner signer(alpha_key_, "alpha");
  ASSERT_TRUE(signer.Sign(r, kNow).ok());
  std::string input = r.Header("Signature-Input").value();
  input.replace(input.find(" \"@target-uri\""), 14, "");
  r.SetHeader("Signature-Input", input);
  ExpectRefused(r, SignatureFailure::kMissingComponent, "\"@target-uri\"");
}

TEST_F(RequestSignatureTest, MalformedFieldsAndParameters) {
  HttpRequest r = Signed();
  r.SetHeader("Signature-Input", "tern=(\"@method\"");
  ExpectRefused(r, SignatureFailure::kMalformed, "Signature-Input");

  HttpRequest s = Signed();
  s.SetHeader("Signature", "other=:AAAA:");
  ExpectRefused(s, SignatureFailure::kMalformed, "label 'tern'");

  for (const std::string param : {"nonce", "created", "keyid"}) {
    HttpRequest p = Signed();
    std::string input = p.Header("Signature-Input").value();
    const size_t at = input.find(";" + param + "=");
    const size_t end = input.find(';', at + 1);
    input.erase(at, end == std::string::npos ? std::string::npos : end - at);
    p.SetHeader("Signature-Input", input);
    ExpectRefused(p, SignatureFailure::kMalformed, param);
  }
}

TEST_F(RequestSignatureTest, OtherAlgorithmsAreRefused) {
  HttpRequest r = Signed();
  std::string input = r.Header("Signature-Input").value();
  input.replace(input.find("\"ed25519\""), 9, "\"rsa-pss-sha512\"");
  r.SetHeader("Signature-Input", input);
  ExpectRefused(r, SignatureFailure::kUnsupportedAlgorithm, "rsa-pss-sha512");
}

TEST_F(RequestSignatureTest, RefusedRequestDoesNotBurnItsNonce) {
  HttpRequest r = Signed();
  HttpRequest tampered = r;
  tampered.body = "{}";
  ExpectRefused(tampered, SignatureFailure::kDigestMismatch, "Content-Digest");
  EXPECT_TRUE(verifier_.Verify(r, kNow).ok());
}

TEST_F(RequestSignatureTest, FullReplayCacheFailsClosed) {
  RequestVerifier small([this](std::string_view site) { return trust_.AcceptedKey(site); }, 300, 2);
  EXPECT_TRUE(small.Verify(Signed(), kNow).ok());
  EXPECT_TRUE(small.Verify(Signed(), kNow).ok());
  const SignatureCheck third = small.Verify(Signed(), kNow);
  EXPECT_EQ(third.failure, SignatureFailure::kReplayCacheFull) << third.reason;
  // Once the first two leave the window, there is room again.
  EXPECT_TRUE(small.Verify(Signed(kNow + 301), kNow + 601).ok());
}

TEST_F(RequestSignatureTest, ReasonsAreDistinct) {
  std::set<std::string_view> names;
  for (int f = 0; f <= static_cast<int>(SignatureFailure::kReplayCacheFull); ++f) {
    names.insert(SignatureFailureName(static_cast<SignatureFailure>(f)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(SignatureFailure::kReplayCacheFull) + 1);
}

}  // namespace
}  // namespace tern::federation
