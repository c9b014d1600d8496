#include "virt/domain_type_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tern::virt {
namespace {

using ::testing::HasSubstr;

TEST(DecideDomainType, ConfiguredWins) {
  EXPECT_EQ(DecideDomainType({false, std::nullopt, "kvm"}).domain_type, "kvm");
  EXPECT_EQ(DecideDomainType({true, false, "kvm"}).domain_type, "kvm");
  EXPECT_EQ(DecideDomainType({true, true, "qemu"}).domain_type, "qemu");
  EXPECT_THAT(DecideDomainType({true, true, "qemu"}).reason, HasSubstr("configured"));
}

TEST(DecideDomainType, AutoWithoutDevKvm) {
  ProbeDecision d = DecideDomainType({false, true, "auto"});
  EXPECT_EQ(d.domain_type, "qemu");
  EXPECT_THAT(d.reason, HasSubstr("/dev/kvm is absent"));
}

TEST(DecideDomainType, AutoProbeBooted) {
  ProbeDecision d = DecideDomainType({true, true, "auto"});
  EXPECT_EQ(d.domain_type, "kvm");
  EXPECT_THAT(d.reason, HasSubstr("booted"));
}

TEST(DecideDomainType, AutoProbeFailed) {
  ProbeDecision d = DecideDomainType({true, false, "auto"});
  EXPECT_EQ(d.domain_type, "qemu");
  EXPECT_THAT(d.reason, HasSubstr("did not boot"));
}

TEST(DecideDomainType, AutoNoProbeGuest) {
  ProbeDecision d = DecideDomainType({true, std::nullopt, "auto"});
  EXPECT_EQ(d.domain_type, "qemu");
  EXPECT_THAT(d.reason, HasSubstr("no probe guest was configured"));
  EXPECT_THAT(d.reason, HasSubstr("could not be verified"));
}

TEST(DecideDomainType, UnknownConfiguredIsTreatedAsAuto) {
  ProbeDecision d = DecideDomainType({true, true, "xen"});
  EXPECT_EQ(d.domain_type, "kvm");
  EXPECT_THAT(d.reason, HasSubstr("'xen'"));
}

TEST(ChooseDomainType, RejectsUnknownConfigured) {
  EXPECT_EQ(ChooseDomainType("xen", "", "").status().code(), StatusCode::kInvalidArgument);
}

TEST(ChooseDomainType, ConfiguredNeedsNoProbe) {
  auto d = ChooseDomainType("qemu", "/nonexistent/vmlinuz", "/nonexistent/initrd");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->domain_type, "qemu");
}

TEST(ProbeKvmBoots, MissingKernelIsNotFound) {
  auto r = ProbeKvmBoots("/nonexistent/vmlinuz", "/nonexistent/initrd", std::chrono::seconds(1));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/vmlinuz"));
}

}  // namespace
}  // namespace tern::virt
