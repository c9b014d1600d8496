// The federation protocol's algorithms (seed 003 §III-C) on three in-memory sites: primary a, intermediary b,
// destination c. Transfers are simulated; what is checked is who knows what and where the VM ends up.
#include "site/site_protocol.h"

#include <gtest/gtest.h>

#include "fake_federation.h"

namespace tern::site::testing {
namespace {

PartnerPolicy Partner(std::vector<std::string> delegate_to = {}, Exposure expose = Exposure::kAll) {
  PartnerPolicy p;
  p.may_delegate_to = std::move(delegate_to);
  p.expose = expose;
  return p;
}

class SiteProtocolTest : public ::testing::Test {
 protected:
  // a <-> b <-> c: a knows only b; b delegates a's requests to c.
  void SetUp() override { Build(Partner({"c"}), Partner()); }

  void Build(PartnerPolicy b_towards_a, PartnerPolicy c_towards_b) {
    SitePolicy a;
    a.partners["b"] = Partner();
    SitePolicy b;
    b.partners["a"] = b_towards_a;
    b.partners["c"] = Partner();
    SitePolicy c;
    c.partners["b"] = c_towards_b;
    fed_.Add("a", {"a1", "a2"}, a);
    fed_.Add("b", {"b1"}, b);
    fed_.Add("c", {"c1", "c2"}, c);
    fed_.world.location["vm1"] = {"a", "a1"};
    fed_.site("a").protocol->AdoptLocalVm("vm1", "a1", VmDescriptor{256, 1, 1 << 20, true});
  }

  SiteProtocol& A() { return *fed_.site("a").protocol; }
  SiteProtocol& B() { return *fed_.site("b").protocol; }
  SiteProtocol& C() { return *fed_.site("c").protocol; }
  std::pair<std::string, std::string> Where() { return fed_.world.location.at("vm1"); }

  Federation fed_;
};

TEST_F(SiteProtocolTest, DelegatedThroughTheIntermediaryEachSiteKnowsOnlyItsNextHop) {
  auto r = A().Migrate("vm1", "c");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->via, "b");
  EXPECT_EQ(r->site_label, "c");
  EXPECT_EQ(Where(), std::make_pair(std::string("c"), std::string("c1")));  // c1 is c's fastest host

  auto a = A().Snapshot().at("vm1");
  EXPECT_EQ(a.host, "");
  EXPECT_EQ(a.next_hop, "b");  // a only knows b
  auto b = B().Snapshot().at("vm1");
  EXPECT_EQ(b.next_hop, "c");
  EXPECT_EQ(b.upstream, "a");
  auto c = C().Snapshot().at("vm1");
  EXPECT_EQ(c.host, "c1");
  EXPECT_EQ(c.upstream, "b");  // c never heard of a
}

TEST_F(SiteProtocolTest, OffersReachingTheControllerCarryTheIntermediarysIdsOnly) {
  MigrationRequest req{"vm1", VmDescriptor{256, 1, 0, true}, "c", {"a"}, 2};
  auto offers = B().HandleMigrationRequest("a", req);
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  ASSERT_EQ(offers->offers.size(), 2u);
  for (const auto& o : offers->offers) {
    EXPECT_EQ(o.offer_id.rfind("b-", 0), 0u) << o.offer_id;  // issued by b, not c
    EXPECT_EQ(o.site_label, "c");
  }
  // c's offer ids are useless to a: c only honours offers it made to b.
  MigrationRequest direct{"vm1", VmDescriptor{256, 1, 0, true}, "", {"b"}, 0};
  auto c_offers = C().HandleMigrationRequest("b", direct);
  ASSERT_TRUE(c_offers.ok());
  ASSERT_FALSE(c_offers->offers.empty());
  InitiateTransfer stolen{
      "vm1", c_offers->offers[0].offer_id, {"u", "k", "t"}, c_offers->offers[0].destination};
  auto r = C().HandleInitiateTransfer("a", stolen);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);  // a is not even c's partner
}

TEST_F(SiteProtocolTest, BestOfferWinsAndLocalHostsAreCandidatesToo) {
  auto r = A().Migrate("vm1", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // a2 is predicted at 11 s, b1 at 10 s (b's first host) and c1 at 10 s: ties broken by preference, then via.
  EXPECT_EQ(r->attempts, 1);
  EXPECT_NE(Where().first, "a") << "a remote first-host offer (10 s) beats a's second host (11 s)";
}

TEST_F(SiteProtocolTest, DeniedRequestChangesNothing) {
  Federation f;
  SitePolicy a;
  a.partners["b"] = Partner();
  SitePolicy b;
  b.partners["a"] = Partner();
  b.partners["a"].accept = false;
  f.Add("a", {"a1"}, a);
  f.Add("b", {"b1"}, b);
  f.world.location["vm1"] = {"a", "a1"};
  f.site("a").protocol->AdoptLocalVm("vm1", "a1", VmDescriptor{256, 1, 0, true});
  auto r = f.site("a").protocol->Migrate("vm1", "b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("denies requests from 'a'"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(f.world.location.at("vm1"), std::make_pair(std::string("a"), std::string("a1")));
  EXPECT_EQ(f.site("a").protocol->Snapshot().at("vm1").host, "a1");
  EXPECT_TRUE(f.site("b").protocol->Snapshot().empty());
}

TEST_F(SiteProtocolTest, LocalOnlyExposureHidesTheSitesBehind) {
  Federation f;
  SitePolicy a;
  a.partners["b"] = Partner();
  SitePolicy b;
  b.partners["a"] = Partner({"c"}, Exposure::kLocalOnly);
  b.partners["c"] = Partner();
  SitePolicy c;
  c.partners["b"] = Partner();
  f.Add("a", {"a1"}, a);
  f.Add("b", {"b1"}, b);
  f.Add("c", {"c1"}, c);
  f.world.location["vm1"] = {"a", "a1"};
  f.site("a").protocol->AdoptLocalVm("vm1", "a1", VmDescriptor{256, 1, 0, true});
  auto r = f.site("a").protocol->Migrate("vm1", "c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_EQ(f.site("b").link->calls, 0) << "b must not even ask c";
  auto to_b = f.site("a").protocol->Migrate("vm1", "b");
  ASSERT_TRUE(to_b.ok()) << to_b.status().ToString();
  EXPECT_EQ(f.world.location.at("vm1"), std::make_pair(std::string("b"), std::string("b1")));
}

TEST_F(SiteProtocolTest, FailedTransferKeepsTheVmAtTheSourceAndTheNextOfferIsTried) {
  fed_.site("c").local->fail_next_transfers = 1;
  auto r = A().Migrate("vm1", "c");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("link cut mid-transfer"), std::string::npos) << r->notes[0];
  EXPECT_EQ(Where(), std::make_pair(std::string("c"), std::string("c2")));
}

TEST_F(SiteProtocolTest, EveryTransferFailingLeavesTheVmRunningAtItsSource) {
  fed_.site("c").local->fail_next_transfers = 10;
  auto r = A().Migrate("vm1", "c");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("keeps running at its source"), std::string::npos);
  EXPECT_EQ(Where(), std::make_pair(std::string("a"), std::string("a1")));
  auto a = A().Snapshot().at("vm1");
  EXPECT_EQ(a.host, "a1");
  EXPECT_EQ(B().Snapshot().count("vm1"), 0u);
  EXPECT_EQ(C().Snapshot().count("vm1"), 0u);
}

TEST_F(SiteProtocolTest, IntermediaryVanishingBeforeTheTransferLeavesTheVmAtTheSource) {
  // b answers the Migration request, then disappears before Initiate transfer.
  class VanishingLink : public PartnerLink {
   public:
    VanishingLink(PartnerLink& inner, Federation& f) : inner_(inner), f_(f) {}
    Result<OfferList> RequestMigration(const std::string& p, const MigrationRequest& r) override {
      auto offers = inner_.RequestMigration(p, r);
      f_.down.insert("b");
      return offers;
    }
    Result<ForcedAnswer> ForceMigration(const std::string& p, const ForcedMigration& r) override {
      return inner_.ForceMigration(p, r);
    }
    Result<TransferResult> InitiateTransfer(const std::string& p,
                                            const tern::site::InitiateTransfer& r) override {
      return inner_.InitiateTransfer(p, r);
    }
    Result<TransferResult> VerifyTransfer(const std::string& p, const TransferVerification& r) override {
      return inner_.VerifyTransfer(p, r);
    }

   private:
    PartnerLink& inner_;
    Federation& f_;
  } vanishing(*fed_.site("a").link, fed_);
  SitePolicy policy;
  policy.self = "a";
  policy.partners["b"] = Partner();
  SiteProtocol a2(policy, vanishing, *fed_.site("a").local, [this] { return fed_.world.now_ms; });
  a2.AdoptLocalVm("vm1", "a1", VmDescriptor{256, 1, 0, true});
  auto r = a2.Migrate("vm1", "c");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not answer"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(Where(), std::make_pair(std::string("a"), std::string("a1")));
  EXPECT_EQ(a2.Snapshot().at("vm1").host, "a1");
}

TEST_F(SiteProtocolTest, DestinationSiteCanForceTheVmAwayFromItself) {
  ASSERT_TRUE(A().Migrate("vm1", "c").ok());
  // c (the Source now) asks b, which delegated the VM to it, to take it away: b becomes the Controller.
  auto evict =
      fed_.site("c").link->ForceMigration("b", ForcedMigration{"vm1", ForcedMode::kEvict, "", "maintenance"});
  ASSERT_TRUE(evict.ok()) << evict.status().ToString();
  ASSERT_TRUE(evict->outcome.has_value());
  EXPECT_EQ(evict->outcome->state, TransferState::kSucceeded) << evict->outcome->detail;
  EXPECT_EQ(Where(), std::make_pair(std::string("b"), std::string("b1")));
  EXPECT_EQ(C().Snapshot().count("vm1"), 0u);
  EXPECT_EQ(B().Snapshot().at("vm1").host, "b1");
  EXPECT_EQ(A().Snapshot().at("vm1").next_hop, "b");  // unchanged: a still reaches it through b
  // And a can move it again through the same chain.
  auto back = A().Migrate("vm1", "a");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(Where().first, "a");
  EXPECT_EQ(B().Snapshot().count("vm1"), 0u);
  EXPECT_EQ(A().Snapshot().at("vm1").next_hop, "");
}

TEST_F(SiteProtocolTest, OnlyResponsibleSitesMayMoveOrEvictAVm) {
  ASSERT_TRUE(A().Migrate("vm1", "c").ok());
  // a is not c's partner; b is, but a forced prepare must come from upstream (b) and an eviction from
  // downstream.
  auto prepare = C().HandleForcedMigration("a", ForcedMigration{"vm1", ForcedMode::kPrepare, "k", ""});
  EXPECT_EQ(prepare.status().code(), StatusCode::kPermissionDenied);
  auto evict = B().HandleForcedMigration("a", ForcedMigration{"vm1", ForcedMode::kEvict, "", ""});
  EXPECT_EQ(evict.status().code(), StatusCode::kPermissionDenied) << evict.status().ToString();
  auto unknown = A().Migrate("nosuch", "");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Where().first, "c");
}

TEST_F(SiteProtocolTest, OffersExpireAndAreSingleUse) {
  MigrationRequest req{"vm1", VmDescriptor{256, 1, 0, true}, "", {"b"}, 0};
  auto offers = C().HandleMigrationRequest("b", req);
  ASSERT_TRUE(offers.ok());
  const auto& o = offers->offers.at(0);
  fed_.world.now_ms += kOfferLifetimeMs + 1;
  auto late =
      C().HandleInitiateTransfer("b", InitiateTransfer{"vm1", o.offer_id, {"u", "k", "t"}, o.destination});
  EXPECT_EQ(late.status().code(), StatusCode::kNotFound);
  EXPECT_NE(late.status().message().find("unknown or expired"), std::string::npos);
}

TEST_F(SiteProtocolTest, RequestLoopsAndForgedPathsAreRefused) {
  MigrationRequest loop{"vm1", VmDescriptor{256, 1, 0, true}, "", {"a", "c"}, 2};
  auto r = C().HandleMigrationRequest("b", loop);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "path must end with the sender";
  loop.path = {"c", "b"};
  r = C().HandleMigrationRequest("b", loop);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->offers.empty());
  auto stranger = C().HandleMigrationRequest("x", MigrationRequest{"vm1", {256, 1, 0, true}, "", {"x"}, 0});
  EXPECT_EQ(stranger.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace tern::site::testing
