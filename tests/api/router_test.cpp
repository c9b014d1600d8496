#include "api/router.h"

#include <gtest/gtest.h>

#include "fake_vm_service.h"

namespace tern::api {
namespace {

using nlohmann::json;

TEST(RouterTest, DeployShowListDestroy) {
  FakeVmService svc;
  Router router(svc);
  const std::string body = ToJson(DeployRequest{"vm: {}", "/m.yaml", "/"}).dump();
  auto r = router.Handle({"POST", "/v1/vms", {}, body});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(json::parse(r.body)["name"], "web1");
  r = router.Handle({"POST", "/v1/vms", {}, body});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "AlreadyExists");
  r = router.Handle({"GET", "/v1/vms/web1", {}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["layers"][0]["class"], "service");
  r = router.Handle({"GET", "/v1/vms", {}, ""});
  EXPECT_EQ(json::parse(r.body)["vms"].size(), 1u);
  r = router.Handle({"DELETE", "/v1/vms/web1", {}, ""});
  EXPECT_EQ(r.status, 200);
  r = router.Handle({"GET", "/v1/vms/web1", {}, ""});
  EXPECT_EQ(r.status, 404);
}

TEST(RouterTest, BadRequestsNameTheProblem) {
  FakeVmService svc;
  Router router(svc);
  auto r = router.Handle({"POST", "/v1/vms", {}, "{not json"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid JSON"), std::string::npos);
  r = router.Handle({"POST", "/v1/vms", {}, R"({"manifest": 3, "source": "a", "base_dir": "/"})"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("deploy request.manifest: wrong type"), std::string::npos);
  r = router.Handle({"POST", "/v1/vms", {}, R"({"source": "a", "base_dir": "/"})"});
  EXPECT_NE(r.body.find("deploy request.manifest: missing"), std::string::npos);
  r = router.Handle({"PUT", "/v1/vms", {}, ""});
  EXPECT_EQ(r.status, 405);
  r = router.Handle({"GET", "/v2/nothing", {}, ""});
  EXPECT_EQ(r.status, 404);
  svc.vms["a"] = VmView{};
  r = router.Handle({"GET", "/v1/vms/a/events", {{"limit", "x"}}, ""});
  EXPECT_EQ(r.status, 400);
  r = router.Handle({"GET", "/v1/vms/a/events", {{"limit", "5"}}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(svc.last_limit, 5);
}

TEST(TypesTest, ErrorBodyRoundTripsToStatus) {
  const Status s = Status::NotFound("vm 'x' is not known");
  const Status back = StatusFromErrorJson(404, ErrorJson(s).dump());
  EXPECT_EQ(back.code(), StatusCode::kNotFound);
  EXPECT_EQ(back.message(), s.message());
  EXPECT_EQ(StatusFromErrorJson(502, "<html>").code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace tern::api

namespace tern::api {
namespace {

TEST(RouterTest, RecontextMigrateAndIncomingRoutes) {
  FakeVmService svc;
  Router router(svc);
  svc.vms["a"] = VmView{};
  auto r = router.Handle({"POST", "/v1/vms/a/recontext", {}, R"({"class":"broker"})"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["class"], "broker");
  r = router.Handle({"POST", "/v1/vms/a/migrate", {}, R"({})"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("migrate request.to"), std::string::npos);
  r = router.Handle({"POST", "/v1/vms/a/migrate", {}, R"({"to":"h2"})"});
  EXPECT_EQ(r.status, 202);
  r = router.Handle({"GET", "/v1/migrations/m1", {}, ""});
  EXPECT_EQ(nlohmann::json::parse(r.body)["state"], "succeeded");
  r = router.Handle({"GET", "/v1/migrations/zz", {}, ""});
  EXPECT_EQ(r.status, 404);
  IncomingRequest in;
  in.vm = "a";
  in.layers.push_back({"service", 10, 1, "o", "sda", "d", "/src/s.iso", "AAAA", 1, "deploy"});
  r = router.Handle({"POST", "/v1/incoming", {}, ToJson(in).dump()});
  ASSERT_EQ(r.status, 201) << r.body;
  auto back = IncomingViewFromJson(nlohmann::json::parse(r.body));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->paths.at("/src/s.iso"), "/dst/service");
  r = router.Handle({"POST", "/v1/incoming", {}, R"({"vm":"a"})"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("incoming request.uuid: missing"), std::string::npos) << r.body;
  r = router.Handle({"DELETE", "/v1/incoming/a", {}, ""});
  EXPECT_EQ(r.status, 200);
}

TEST(TypesTest, IncomingRequestRoundTrips) {
  IncomingRequest in{"a", "u", "i", "/m.yaml", 5, "h1", "/s.log", {}, {{"/d.qcow2", "qcow2", 1 << 20}}};
  in.layers.push_back({"infrastructure", 20, 3, "host:h1", "sdb", "abc", "/x.iso", "QUJD", 9, "migration"});
  auto back = IncomingRequestFromJson(ToJson(in));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->layers.at(0).generation, 3u);
  EXPECT_EQ(back->disks.at(0).virtual_size, 1u << 20);
}

}  // namespace
}  // namespace tern::api
