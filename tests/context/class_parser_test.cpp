#include "context/class_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace tern::context {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

// The host configuration carries the infrastructure class in the same shape as a manifest's class entry.
TEST(ParseClassNodeTest, ParsesTheHostsInfrastructureClass) {
  TempDir dir;
  dir.Write("conf/site.env", "SITE=eu-1\n");
  const YAML::Node host = YAML::Load(R"(
infrastructure:
  priority: 50
  values: {site: eu-1, host: h1, ntp: 10.0.0.1}
  files:
    - path: etc/site.env
      source: conf/site.env
    - path: etc/resolv.conf
      content: "nameserver 10.0.0.53\n"
)");
  Result<ContextClass> r = ParseClassNode(host["infrastructure"], "infrastructure", "/etc/tern/host.yaml",
                                          dir.path(), "infrastructure");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "infrastructure");
  EXPECT_EQ(r->priority, 50);
  EXPECT_EQ(r->values.size(), 3u);
  EXPECT_EQ(r->values.at("ntp"), "10.0.0.1");
  ASSERT_EQ(r->files.size(), 2u);
  EXPECT_EQ(r->files[0].content, "SITE=eu-1\n");
  EXPECT_EQ(r->files[1].path, "etc/resolv.conf");
}

TEST(ParseClassNodeTest, ErrorsUseTheGivenFieldPath) {
  const YAML::Node node = YAML::Load("priority: 50\nprio: 3\n");
  Result<ContextClass> r = ParseClassNode(node, "infrastructure", "host.yaml", "/", "infrastructure");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("host.yaml: infrastructure: unknown key 'prio'"));
  // Default field path: context.<class>.
  r = ParseClassNode(YAML::Load("values: {a: b}"), "infrastructure", "host.yaml", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "host.yaml: context.infrastructure.priority: missing required field");
}

TEST(ParseClassNodeTest, RefusesCloudInit) {
  Result<ContextClass> r = ParseClassNode(YAML::Load("priority: 1\ncloud_init: {user_data: x}\n"),
                                          "infrastructure", "host.yaml", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("only the service class may carry cloud_init"));
}

TEST(ParseClassNodeTest, ParseClassNodeWithCloudInitFillsIt) {
  CloudInit ci;
  Result<ContextClass> r =
      ParseClassNodeWithCloudInit(YAML::Load("priority: 1\ncloud_init: {user_data: '#cloud-config'}\n"),
                                  "service", "web.yaml", "/", "", &ci);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ci.user_data, "#cloud-config");
  EXPECT_EQ(ci.network_config, "");
}

TEST(ParseClassNodeTest, RefusesOversizedClasses) {
  TempDir dir;
  const std::string big(kMaxClassContentBytes / 2 + 1, 'x');
  dir.Write("big", big);
  Result<ContextClass> r = ParseClassNode(
      YAML::Load("priority: 1\nfiles:\n  - {path: a, source: big}\n  - {path: b, source: big}\n"), "broker",
      "b.yaml", dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than the limit"));
}

TEST(ParseClassNodeTest, UndefinedNodeIsAnError) {
  const YAML::Node empty = YAML::Load("{}");
  Result<ContextClass> r = ParseClassNode(empty["missing"], "infrastructure", "host.yaml", "/");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("host.yaml: context.infrastructure: expected a mapping"));
}

ContextClass Class(const std::string& name, int priority) {
  ContextClass c;
  c.name = name;
  c.priority = priority;
  return c;
}

TEST(ValidateClassSetTest, AcceptsDistinctNamesAndPriorities) {
  EXPECT_TRUE(
      ValidateClassSet({Class("service", 10), Class("broker", 30), Class("infrastructure", 50)}, "x").ok());
  EXPECT_TRUE(ValidateClassSet({}, "x").ok());
}

TEST(ValidateClassSetTest, RefusesSharedPriority) {
  const Status s = ValidateClassSet({Class("service", 10), Class("infrastructure", 10)}, "web.yaml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "web.yaml: context: classes 'service' and 'infrastructure' have the same priority 10");
}

TEST(ValidateClassSetTest, RefusesSharedName) {
  const Status s = ValidateClassSet({Class("service", 10), Class("service", 20)}, "web.yaml");
  EXPECT_EQ(s.message(), "web.yaml: context: class 'service' is defined twice");
}

}  // namespace
}  // namespace tern::context
