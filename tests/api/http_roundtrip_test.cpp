#include <gtest/gtest.h>

#include "api/api_client.h"
#include "api/http_server.h"
#include "fake_vm_service.h"

namespace tern::api {
namespace {

TEST(HttpRoundTripTest, ClientTalksToServerOnLoopback) {
  FakeVmService svc;
  Router router(svc);
  HttpServer server(router);
  ASSERT_TRUE(server.Start({"127.0.0.1", 0}).ok());
  auto client = ApiClient::Create("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_TRUE(client.ok());
  auto host = (*client)->Host();
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  EXPECT_EQ(host->domain_type, "qemu");
  auto vm = (*client)->Deploy({"vm: {}", "/m.yaml", "/"});
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  EXPECT_EQ(vm->layers.at(0).generation, 1u);
  auto bad = (*client)->Deploy({"bad", "/m.yaml", "/"});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "/m.yaml: vm.name: bad");
  EXPECT_EQ((*client)->List()->size(), 1u);
  EXPECT_EQ((*client)->Events("web1", 3)->size(), 1u);
  EXPECT_TRUE((*client)->Destroy("web1").ok());
  EXPECT_EQ((*client)->Show("web1").status().code(), StatusCode::kNotFound);
  server.Stop();
  EXPECT_EQ((*client)->Host().status().code(), StatusCode::kUnavailable);
}

TEST(HttpRoundTripTest, BindFailureIsReported) {
  FakeVmService svc;
  Router router(svc);
  HttpServer a(router);
  ASSERT_TRUE(a.Start({"127.0.0.1", 0}).ok());
  HttpServer b(router);
  const Status s = b.Start({"127.0.0.1", a.port()});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tern::api
