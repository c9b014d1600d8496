// TrustStore: add/remove/list with validation, persistence across reopen, refusals that change nothing.
#include "federation/trust_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../common/temp_dir.h"
#include "core/files.h"
#include "federation/site_key.h"

namespace tern::federation {
namespace {

using tern::testing::TempDir;

PublicKey KeyOf(uint8_t fill) {
  PublicKey k;
  k.fill(fill);
  return k;
}

Partner MakePartner(const std::string& name, uint8_t key_fill) {
  Partner p;
  p.name = name;
  p.url = "https://" + name + ".example:8443/tern";
  p.public_key = KeyOf(key_fill);
  return p;
}

TEST(TrustStoreTest, AddListRemovePersistAcrossReopen) {
  TempDir dir;
  const std::string path = dir.Path("trust.json");
  {
    auto store = TrustStore::Open(path, "alpha");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE(store->List().empty());
    Partner beta = MakePartner("beta", 1);
    beta.delegate_to = {"gamma"};
    beta.expose = Exposure::kAll;
    ASSERT_TRUE(store->Add(beta).ok());
    Partner gamma = MakePartner("gamma", 2);
    gamma.policy = PartnerPolicy::kDeny;
    ASSERT_TRUE(store->Add(gamma).ok());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 022, 0u);
  auto store = TrustStore::Open(path, "alpha");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const auto list = store->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "beta");
  EXPECT_EQ(list[0].delegate_to, std::vector<std::string>{"gamma"});
  EXPECT_EQ(list[0].expose, Exposure::kAll);
  EXPECT_TRUE(list[0].MayDelegateTo("gamma"));
  EXPECT_FALSE(list[0].MayDelegateTo("delta"));
  EXPECT_EQ(list[1].policy, PartnerPolicy::kDeny);
  EXPECT_EQ(list[1].public_key, KeyOf(2));

  ASSERT_TRUE(store->Remove("beta").ok());
  auto again = TrustStore::Open(path, "alpha");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->List().size(), 1u);
  EXPECT_EQ(again->List()[0].name, "gamma");
}

TEST(TrustStoreTest, AcceptedKeyDistinguishesUnknownAndDenied) {
  auto store = TrustStore::InMemory("alpha");
  ASSERT_TRUE(store.Add(MakePartner("beta", 1)).ok());
  Partner gamma = MakePartner("gamma", 2);
  gamma.policy = PartnerPolicy::kDeny;
  ASSERT_TRUE(store.Add(gamma).ok());
  auto beta_key = store.AcceptedKey("beta");
  ASSERT_TRUE(beta_key.ok());
  EXPECT_EQ(*beta_key, KeyOf(1));
  EXPECT_EQ(store.AcceptedKey("gamma").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store.AcceptedKey("delta").status().code(), StatusCode::kNotFound);
}

TEST(TrustStoreTest, RefusesInvalidPartnersAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.Path("trust.json");
  auto store = TrustStore::Open(path, "alpha");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->Add(MakePartner("beta", 1)).ok());
  const std::string before = ReadFile(path).value();

  struct Case {
    std::string why;
    Partner p;
    StatusCode code;
  };
  std::vector<Case> cases;
  cases.push_back({"duplicate name", MakePartner("beta", 9), StatusCode::kAlreadyExists});
  cases.push_back({"duplicate key", MakePartner("gamma", 1), StatusCode::kAlreadyExists});
  cases.push_back({"own name", MakePartner("alpha", 3), StatusCode::kInvalidArgument});
  cases.push_back({"uppercase name", MakePartner("Gamma", 3), StatusCode::kInvalidArgument});
  cases.push_back({"empty name", MakePartner("", 3), StatusCode::kInvalidArgument});
  cases.push_back({"zero key", MakePartner("gamma", 0), StatusCode::kInvalidArgument});
  Partner bad_url = MakePartner("gamma", 3);
  bad_url.url = "ftp://gamma.example";
  cases.push_back({"bad scheme", bad_url, StatusCode::kInvalidArgument});
  bad_url.url = "https://user@gamma.example";
  cases.push_back({"userinfo", bad_url, StatusCode::kInvalidArgument});
  bad_url.url = "https://gamma.example:99999";
  cases.push_back({"bad port", bad_url, StatusCode::kInvalidArgument});
  bad_url.url = "https://";
  cases.push_back({"no host", bad_url, StatusCode::kInvalidArgument});
  Partner self_delegate = MakePartner("gamma", 3);
  self_delegate.delegate_to = {"gamma"};
  cases.push_back({"delegates to itself", self_delegate, StatusCode::kInvalidArgument});
  Partner bad_delegate = MakePartner("gamma", 3);
  bad_delegate.delegate_to = {"no spaces"};
  cases.push_back({"bad delegate name", bad_delegate, StatusCode::kInvalidArgument});
  for (const Case& c : cases) {
    const Status s = store->Add(c.p);
    EXPECT_EQ(s.code(), c.code) << c.why << ": " << s.ToString();
    EXPECT_FALSE(s.message().empty());
  }
  EXPECT_EQ(store->Remove("nobody").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->List().size(), 1u);
  EXPECT_EQ(ReadFile(path).value(), before);
}

TEST(TrustStoreTest, UpdateReplacesAnEntry) {
  auto store = TrustStore::InMemory("alpha");
  ASSERT_TRUE(store.Add(MakePartner("beta", 1)).ok());
  Partner p = MakePartner("beta", 4);
  p.policy = PartnerPolicy::kDeny;
  ASSERT_TRUE(store.Update(p).ok());
  EXPECT_EQ(store.Find("beta")->public_key, KeyOf(4));
  EXPECT_EQ(store.Update(MakePartner("zeta", 5)).code(), StatusCode::kNotFound);
}

TEST(TrustStoreTest, RefusesAWritableOrForeignOrCorruptFile) {
  TempDir dir;
  const std::string path = dir.Path("trust.json");
  {
    auto store = TrustStore::Open(path, "alpha");
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->Add(MakePartner("beta", 1)).ok());
  }
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  auto writable = TrustStore::Open(path, "alpha");
  ASSERT_FALSE(writable.ok());
  EXPECT_EQ(writable.status().code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);

  auto foreign = TrustStore::Open(path, "omega");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("belongs to site 'alpha'"), std::string::npos)
      << foreign.status().message();

  const std::string corrupt =
      dir.Write("corrupt.json", "{\"version\":1,\"site\":\"alpha\",\"partners\":[{\"name\":\"b\"}]}");
  ::chmod(corrupt.c_str(), 0644);
  auto c = TrustStore::Open(corrupt, "alpha");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("'url' is missing"), std::string::npos) << c.status().message();

  const std::string dup = dir.Write("dup.json", "{\"version\":1,\"site\":\"alpha\",\"partners\":[" +
                                                    PartnerToJson(MakePartner("beta", 1)).dump() + "," +
                                                    PartnerToJson(MakePartner("beta", 2)).dump() + "]}");
  ::chmod(dup.c_str(), 0644);
  auto d = TrustStore::Open(dup, "alpha");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("appears twice"), std::string::npos) << d.status().message();

  const std::string notjson = dir.Write("x.json", "not json");
  ::chmod(notjson.c_str(), 0644);
  EXPECT_FALSE(TrustStore::Open(notjson, "alpha").ok());
}

TEST(PartnerTest, JsonRoundTripAndPolicyParsing) {
  Partner p = MakePartner("beta", 7);
  p.policy = PartnerPolicy::kDeny;
  p.delegate_to = {"*"};
  p.expose = Exposure::kAll;
  auto back = PartnerFromJson(PartnerToJson(p), "p");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_TRUE(p.MayDelegateTo("anyone"));
  EXPECT_FALSE(ParsePartnerPolicy("maybe").ok());
  EXPECT_FALSE(ParseExposure("everything").ok());
  auto j = PartnerToJson(p);
  j["policy"] = "sometimes";
  EXPECT_FALSE(PartnerFromJson(j, "p").ok());
}

}  // namespace
}  // namespace tern::federation
