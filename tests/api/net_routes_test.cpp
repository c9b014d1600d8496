// The network API: routes onto a fake NetService, JSON round trips, and the incoming-migration net ports.
#include "api/net_routes.h"

#include <gtest/gtest.h>

#include <map>

#include "api/net_text_format.h"
#include "api/router.h"
#include "fake_vm_service.h"

namespace tern::api {
namespace {

using nlohmann::json;

class FakeNetService : public NetService {
 public:
  Result<NetworkView> CreateNetwork(const NetworkCreateRequest& r) override {
    if (nets.count(r.name) != 0) return Status::AlreadyExists("network '" + r.name + "' already exists");
    NetworkView v;
    v.name = r.name;
    v.encrypt = r.encrypt;
    v.port = 7600;
    nets[r.name] = v;
    return v;
  }
  Result<std::vector<NetworkView>> ListNetworks() override {
    std::vector<NetworkView> out;
    for (const auto& [k, v] : nets) out.push_back(v);
    return out;
  }
  Result<NetworkView> ShowNetwork(const std::string& name) override {
    auto it = nets.find(name);
    if (it == nets.end()) return Status::NotFound("network '" + name + "' does not exist on this host");
    return it->second;
  }
  Result<NetworkAttachView> AttachVm(const std::string& network, const NetworkAttachRequest& r) override {
    last_attach = r;
    NetworkAttachView v;
    v.port = {network, r.vm, r.mac.empty() ? "52:54:00:00:00:01" : r.mac, 42000, 42001, true};
    v.restarted = r.restart;
    return v;
  }
  Status DeleteNetwork(const std::string& name) override {
    return nets.erase(name) == 1 ? Status::Ok() : Status::NotFound("network '" + name + "' does not exist");
  }
  Result<NetworkView> AddPeerNetwork(const NetworkPeerRequest& r) override {
    last_peer = r;
    NetworkView v;
    v.name = r.name;
    v.port = r.port;
    nets[r.name] = v;
    return v;
  }
  Status RemovePeerNetwork(const std::string& name) override { return DeleteNetwork(name); }

  std::map<std::string, NetworkView> nets;
  NetworkAttachRequest last_attach;
  NetworkPeerRequest last_peer;
};

TEST(NetRoutesTest, CreateListShowAttachDelete) {
  FakeVmService vms;
  FakeNetService nets;
  Router router(vms);
  router.SetNetService(&nets);
  auto r = router.Handle({"POST", "/v1/networks", {}, R"({"name": "blue", "encrypt": true})"});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["encrypt"], true);
  r = router.Handle({"POST", "/v1/networks", {}, R"({"name": "blue"})"});
  EXPECT_EQ(r.status, 409);
  r = router.Handle({"GET", "/v1/networks", {}, ""});
  EXPECT_EQ(json::parse(r.body)["networks"].size(), 1u);
  r = router.Handle({"GET", "/v1/networks/blue", {}, ""});
  ASSERT_EQ(r.status, 200);
  auto view = NetworkViewFromJson(json::parse(r.body));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->port, 7600);
  r = router.Handle({"POST", "/v1/networks/blue/attach", {}, R"({"vm": "web1", "restart": true})"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(nets.last_attach.restart);
  auto attach = NetworkAttachViewFromJson(json::parse(r.body));
  ASSERT_TRUE(attach.ok());
  EXPECT_EQ(attach->port.local_port, 42000);
  EXPECT_NE(FormatNetworkAttach(*attach).find("restarted"), std::string::npos);
  r = router.Handle({"DELETE", "/v1/networks/blue", {}, ""});
  EXPECT_EQ(r.status, 200);
  r = router.Handle({"GET", "/v1/networks/blue", {}, ""});
  EXPECT_EQ(r.status, 404);
}

TEST(NetRoutesTest, PeerCallsCarryTheNetworkAndMustNameItTwice) {
  FakeVmService vms;
  FakeNetService nets;
  Router router(vms);
  router.SetNetService(&nets);
  const NetworkPeerRequest req{"blue", std::string(64, 'a'), 7601, false, 9, "h1"};
  auto r = router.Handle({"PUT", "/v1/peer/networks/blue", {}, ToJson(req).dump()});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(nets.last_peer.key_hex, req.key_hex);
  r = router.Handle({"PUT", "/v1/peer/networks/red", {}, ToJson(req).dump()});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("does not match"), std::string::npos);
  r = router.Handle({"DELETE", "/v1/peer/networks/blue", {}, ""});
  EXPECT_EQ(r.status, 200);
}

TEST(NetRoutesTest, BadRequestsAndAMissingServiceAreRefused) {
  FakeVmService vms;
  FakeNetService nets;
  Router bare(vms);
  auto r = bare.Handle({"GET", "/v1/networks", {}, ""});
  EXPECT_EQ(r.status, 503);
  Router router(vms);
  router.SetNetService(&nets);
  r = router.Handle({"POST", "/v1/networks", {}, "[1]"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("network create request: body is not a JSON object"), std::string::npos);
  r = router.Handle({"POST", "/v1/networks", {}, R"({"name": 5})"});
  EXPECT_NE(r.body.find("network create request.name: wrong type"), std::string::npos);
  r = router.Handle({"POST", "/v1/networks/blue/attach", {}, R"({"mac": "x"})"});
  EXPECT_NE(r.body.find("network attach request.vm: missing"), std::string::npos);
  r = router.Handle({"PUT", "/v1/networks/blue", {}, ""});
  EXPECT_EQ(r.status, 405);
  r = router.Handle({"GET", "/v1/networks/blue/nothing", {}, ""});
  EXPECT_EQ(r.status, 404);
  r = router.Handle({"PUT", "/v1/peer/networks/blue", {}, R"({"name": "blue"})"});
  EXPECT_NE(r.body.find("network peer request.key_hex: missing"), std::string::npos);
}

TEST(NetTypesTest, IncomingRequestsCarryNetPortsAndOlderPeersSendNone) {
  IncomingRequest in;
  in.vm = "web1";
  in.net_ports = {{"blue", "web1", "52:54:00:00:00:01", 42000, 42001, true}};
  auto back = IncomingRequestFromJson(ToJson(in));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->net_ports.size(), 1u);
  EXPECT_EQ(back->net_ports[0].remote_port, 42001);
  json old = ToJson(in);
  old.erase("net_ports");
  EXPECT_TRUE(IncomingRequestFromJson(old)->net_ports.empty());
  old["net_ports"] = "x";
  EXPECT_FALSE(IncomingRequestFromJson(old).ok());
  IncomingView v;
  v.net_ports = in.net_ports;
  EXPECT_EQ(IncomingViewFromJson(ToJson(v))->net_ports.size(), 1u);
}

TEST(NetTypesTest, NetworkViewRoundTripsAndFormats) {
  NetworkView v;
  v.name = "blue";
  v.host = "h1";
  v.port = 7600;
  v.switch_state = "running";
  v.switch_pid = 7;
  v.listen = "10.0.0.1:7600";
  v.membership = "member";
  v.mtu = 1414;
  v.peers = {{"h2", "10.0.0.2:7600", "00aa", "alive", 300}};
  v.ports = {{"blue", "web1", "52:54:00:00:00:01", 42000, 42001, true}};
  v.counters = {{"rx_local_frames", 3}, {"drop_bad_auth", 0}};
  auto back = NetworkViewFromJson(ToJson(v));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->peers[0].host, "h2");
  EXPECT_EQ(back->ports[0].vm, "web1");
  const std::string text = FormatNetworkDetail(*back);
  EXPECT_NE(text.find("members:   2 (this host and 1 peer)"), std::string::npos) << text;
  EXPECT_NE(text.find("h2          10.0.0.2:7600"), std::string::npos) << text;
  EXPECT_NE(text.find("rx_local_frames=3"), std::string::npos) << text;
  EXPECT_EQ(text.find("drop_bad_auth"), std::string::npos) << text;  // zero counters are left out
  EXPECT_NE(FormatNetworkTable({*back}).find("blue"), std::string::npos);
}

}  // namespace
}  // namespace tern::api
