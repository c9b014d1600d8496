#include "site/messages.h"

#include <gtest/gtest.h>

#include "site/offer_ranking.h"
#include "site/site_policy.h"

namespace tern::site {
namespace {

using nlohmann::json;

TEST(SiteMessages, RoundTripEveryOperation) {
  MigrationRequest r{"primary/vm1", VmDescriptor{512, 2, 1 << 30, true}, "c", {"a", "b"}, 1};
  auto r2 = MigrationRequestFromJson(ToJson(r));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->vm, r.vm);
  EXPECT_EQ(r2->descriptor.disk_bytes, 1u << 30);
  EXPECT_EQ(r2->path, r.path);
  EXPECT_EQ(r2->want_site, "c");

  ProxyTicket t{"tern+proxy://198.51.100.1:7600", "a2V5", "tok"};
  OfferList l{{Offer{"b-1", t, 12.5, 3, "c"}}};
  auto l2 = OfferListFromJson(ToJson(l));
  ASSERT_TRUE(l2.ok()) << l2.status().ToString();
  EXPECT_EQ(l2->offers.at(0).destination.token, "tok");
  EXPECT_DOUBLE_EQ(l2->offers.at(0).predicted_seconds, 12.5);

  auto f = ForcedMigrationFromJson(ToJson(ForcedMigration{"vm1", ForcedMode::kEvict, "", "maintenance"}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->mode, ForcedMode::kEvict);
  auto i = InitiateTransferFromJson(ToJson(InitiateTransfer{"vm1", "b-1", t, t}));
  ASSERT_TRUE(i.ok());
  auto v = TransferVerificationFromJson(ToJson(TransferVerification{"vm1", t}));
  ASSERT_TRUE(v.ok());
  auto res = TransferResultFromJson(ToJson(TransferResult{TransferState::kSucceeded, "ok"}));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->state, TransferState::kSucceeded);
  auto a = ForcedAnswerFromJson(ToJson(ForcedAnswer{t, std::nullopt}));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->ticket.has_value());
}

TEST(SiteMessages, BadInputNamesTheField) {
  json r = ToJson(MigrationRequest{"vm1", VmDescriptor{512, 1, 0, true}, "", {"a"}, 1});
  auto check = [](const Status& s, const std::string& needle) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  };
  json x = r;
  x["hops"] = 3;
  check(MigrationRequestFromJson(x).status(), "unknown field 'hops'");
  x = r;
  x["descriptor"]["memory_mib"] = "lots";
  check(MigrationRequestFromJson(x).status(), "descriptor.memory_mib: wrong type");
  x = r;
  x["hops_left"] = 99;
  check(MigrationRequestFromJson(x).status(), "hops_left");
  x = r;
  x["path"] = json::array({"Bad Site"});
  check(MigrationRequestFromJson(x).status(), "site name 'Bad Site'");
  x = r;
  x.erase("vm");
  check(MigrationRequestFromJson(x).status(), "migration request.vm: missing");
  check(MigrationRequestFromJson(json::array()).status(), "expected a JSON object");

  check(ForcedMigrationFromJson(json{{"vm", "v"}, {"mode", "kill"}, {"peer_proxy_key", ""}, {"reason", ""}})
            .status(),
        "'kill' is not prepare|evict");
  check(
      ForcedMigrationFromJson(json{{"vm", "v"}, {"mode", "prepare"}, {"peer_proxy_key", ""}, {"reason", ""}})
          .status(),
      "peer_proxy_key: must not be empty");
  check(TransferResultFromJson(json{{"state", "maybe"}, {"detail", ""}}).status(), "'maybe'");
  check(ForcedAnswerFromJson(json::object()).status(), "exactly one");
  check(ProxyTicketFromJson(json{{"proxy_uri", "u"}, {"proxy_key", "k"}, {"token", ""}}).status(),
        "ticket.token: must not be empty");
  check(OfferFromJson(json{{"offer_id", "o"},
                           {"destination", ToJson(ProxyTicket{"u", "k", "t"})},
                           {"predicted_seconds", -1},
                           {"preference", 0},
                           {"site_label", ""}})
            .status(),
        "predicted_seconds");
}

TEST(OfferRanking, FastestThenPreferredThenStable) {
  auto offer = [](std::string id, double s, int pref) { return Offer{std::move(id), {}, s, pref, ""}; };
  auto ranked = RankOffers({{offer("x", 20, 9), "b"},
                            {offer("y", 10, 0), "c"},
                            {offer("z", 10, 5), "d"},
                            {offer("w", 10, 5), "a"}});
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].offer.offer_id, "w");  // 10 s, preference 5, via a < d
  EXPECT_EQ(ranked[1].offer.offer_id, "z");
  EXPECT_EQ(ranked[2].offer.offer_id, "y");
  EXPECT_EQ(ranked[3].offer.offer_id, "x");
}

TEST(OfferRanking, PredictionGrowsWithStateAndShrinksWithCompression) {
  VmDescriptor small{256, 1, 0, true}, big{1024, 1, 0, true}, cold{1024, 1, 0, false};
  LinkEstimate link;  // 100 Mbit/s
  const double s = PredictMigrationSeconds(small, link);
  EXPECT_NEAR(s, 256.0 * 1024 * 1024 * 1.2 / 12.5e6 + 0.06, 1e-6);
  EXPECT_GT(PredictMigrationSeconds(big, link), s);
  EXPECT_LT(PredictMigrationSeconds(cold, link), s);
  link.compression_ratio = 0.5;
  EXPECT_LT(PredictMigrationSeconds(small, link), s);
}

TEST(SitePolicy, AcceptDelegateExpose) {
  SitePolicy p;
  p.self = "b";
  p.partners["a"] = PartnerPolicy{true, {"c", "d", "a"}, Exposure::kAll, 0};
  p.partners["c"] = PartnerPolicy{true, {}, Exposure::kLocalOnly, 0};
  p.partners["d"] = PartnerPolicy{false, {}, Exposure::kAll, 0};
  EXPECT_TRUE(p.Accepts("a").ok());
  EXPECT_EQ(p.Accepts("d").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(p.Accepts("zz").code(), StatusCode::kPermissionDenied);
  // d is denied, a is the sender; c only if not already on the path.
  EXPECT_EQ(p.DelegationTargets("a", {"a"}), std::vector<std::string>{"c"});
  EXPECT_TRUE(p.DelegationTargets("a", {"c", "a"}).empty());
  EXPECT_TRUE(p.DelegationTargets("c", {"c"}).empty());  // local-only partner: never delegated for
  std::vector<CandidateOffer> offers = {{Offer{"l", {}, 5, 0, "b"}, ""}, {Offer{"r", {}, 1, 0, "x"}, "c"}};
  EXPECT_EQ(p.Expose("a", offers).size(), 2u);
  ASSERT_EQ(p.Expose("c", offers).size(), 1u);
  EXPECT_EQ(p.Expose("c", offers)[0].offer.offer_id, "l");
  EXPECT_TRUE(p.Expose("zz", offers).empty());
  p.max_offers = 1;
  EXPECT_EQ(p.Expose("a", offers)[0].offer.offer_id, "r");
}

}  // namespace
}  // namespace tern::site
