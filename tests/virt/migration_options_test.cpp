// Unit tests of ValidateMigrationOptions: the relay overrides (listen address, NBD port or URI) are checked
// before libvirt sees them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "virt/hypervisor.h"

namespace tern::virt {
namespace {

using ::testing::HasSubstr;

MigrationOptions Relayed() {
  MigrationOptions o;
  o.dest_uri = "qemu+tcp://10.101.7.1:16509/system";
  o.migrate_uri = "tcp://10.101.7.1:49300";
  o.listen_address = "10.102.7.12";
  o.disks_port = 49301;
  o.copy_storage_all = true;
  return o;
}

TEST(ValidateMigrationOptions, AcceptsRelayedTcpAndUnixForms) {
  EXPECT_TRUE(ValidateMigrationOptions("vm", Relayed()).ok());
  MigrationOptions unix_form = Relayed();
  unix_form.disks_port = 0;
  unix_form.migrate_uri = "unix:///var/lib/libvirt/mig/mem.sock";
  unix_form.disks_uri = "unix:///var/lib/libvirt/mig/nbd.sock";
  EXPECT_TRUE(ValidateMigrationOptions("vm", unix_form).ok());
  MigrationOptions plain;
  plain.dest_uri = "qemu+tcp://10.0.0.2/system";
  EXPECT_TRUE(ValidateMigrationOptions("vm", plain).ok());
}

TEST(ValidateMigrationOptions, RejectsInconsistentOverridesNamingTheDomain) {
  MigrationOptions no_dest = Relayed();
  no_dest.dest_uri.clear();
  Status s = ValidateMigrationOptions("web1", no_dest);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'web1'"));
  EXPECT_THAT(s.message(), HasSubstr("destination URI"));

  MigrationOptions both = Relayed();
  both.disks_uri = "unix:///x.sock";
  s = ValidateMigrationOptions("web1", both);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("exclude each other"));

  MigrationOptions shared = Relayed();
  shared.copy_storage_all = false;
  s = ValidateMigrationOptions("web1", shared);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("copy_storage_all"));

  MigrationOptions port = Relayed();
  port.disks_port = 70000;
  s = ValidateMigrationOptions("web1", port);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("70000"));

  MigrationOptions scheme = Relayed();
  scheme.disks_port = 0;
  scheme.disks_uri = "nbd://10.102.7.12:10809";
  s = ValidateMigrationOptions("web1", scheme);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("nbd://10.102.7.12:10809"));

  MigrationOptions parallel = Relayed();
  parallel.parallel_connections = -1;
  s = ValidateMigrationOptions("web1", parallel);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("parallel_connections -1"));
  parallel.parallel_connections = 4;
  EXPECT_TRUE(ValidateMigrationOptions("web1", parallel).ok());
}

}  // namespace
}  // namespace tern::virt
