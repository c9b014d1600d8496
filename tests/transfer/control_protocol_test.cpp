// tern-proxy's control protocol: requests parse into typed values with defaults, and every malformed request
// is refused with a message naming the field; issuing through the handler yields a redeemable token.
#include "transfer/control_protocol.h"

#include <gtest/gtest.h>

namespace tern::transfer {
namespace {

TEST(ControlProtocolTest, ParsesIssueWithDefaults) {
  auto r = ParseControlRequest(
      R"({"op":"issue","vm":"web-1","direction":"destination","peer":"alpha","kind":"connect","target":"10.1.0.7:49152"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& issue = std::get<IssueRequest>(*r);
  EXPECT_EQ(issue.grant.vm_id, "web-1");
  EXPECT_EQ(issue.grant.direction, Direction::kDestination);
  EXPECT_EQ(issue.grant.kind, GrantKind::kConnect);
  EXPECT_EQ(issue.grant.connections, 1u);
  EXPECT_EQ(issue.ttl, std::chrono::milliseconds(60000));
}

TEST(ControlProtocolTest, ParsesForwardStatusCounters) {
  auto f = ParseControlRequest(
      R"({"op":"forward","listen":"127.0.0.1:0","remote":"10.213.0.2:7400","site":"beta","token":"tt1-x"})");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(std::get<ForwardRequest>(*f).rule.remote.ToString(), "10.213.0.2:7400");
  EXPECT_TRUE(std::holds_alternative<StatusRequest>(*ParseControlRequest(R"({"op":"status","token":"t"})")));
  EXPECT_TRUE(std::holds_alternative<CountersRequest>(*ParseControlRequest(R"({"op":"counters"})")));
}

TEST(ControlProtocolTest, RefusesMalformedRequests) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"vm":"x"})", "'op'"},
      {R"({"op":"reboot"})", "unknown op 'reboot'"},
      {R"({"op":"issue","direction":"destination","peer":"a","kind":"connect","target":"1.2.3.4:5"})",
       "'vm'"},
      {R"({"op":"issue","vm":"v","direction":"sideways","peer":"a","kind":"connect","target":"1.2.3.4:5"})",
       "sideways"},
      {R"({"op":"issue","vm":"v","direction":"source","peer":"a","kind":"teleport","target":"1.2.3.4:5"})",
       "teleport"},
      {R"({"op":"issue","vm":"v","direction":"source","peer":"a","kind":"connect","target":"nowhere"})",
       "is not IP:PORT"},
      {R"({"op":"issue","vm":"v","direction":"source","peer":"a","kind":"connect","target":"1.2.3.4:5","connections":0})",
       "connections"},
      {R"({"op":"issue","vm":"v","direction":"source","peer":"a","kind":"connect","target":"1.2.3.4:5","ttl_ms":"1"})",
       "'ttl_ms'"},
      {R"({"op":"issue","vm":"v","direction":"source","peer":"a","kind":"receive-file","target":"/x"})",
       "destination grant"},
      {R"({"op":"forward","listen":"localhost:1","remote":"1.2.3.4:5","site":"b","token":"t"})", "'listen'"},
      {R"({"op":"status"})", "'token'"},
  };
  for (const auto& [line, part] : cases) {
    auto r = ParseControlRequest(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_NE(r.status().message().find(part), std::string::npos) << line << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace tern::transfer
