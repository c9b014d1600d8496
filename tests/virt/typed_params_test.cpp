#include "virt/typed_params.h"

#include <gtest/gtest.h>
#include <libvirt/virterror.h>

#include <cstring>

#include "virt/libvirt_handles.h"

namespace tern::virt {
namespace {

virTypedParameter Param(const char* field, int type) {
  virTypedParameter p;
  std::memset(&p, 0, sizeof p);
  std::strncpy(p.field, field, VIR_TYPED_PARAM_FIELD_LENGTH - 1);
  p.type = type;
  return p;
}

TEST(TypedParams, KeepsNumbersDropsStrings) {
  char name[] = "vda";
  virTypedParameter params[6];
  params[0] = Param("state.state", VIR_TYPED_PARAM_INT);
  params[0].value.i = 1;
  params[1] = Param("cpu.time", VIR_TYPED_PARAM_ULLONG);
  params[1].value.ul = 123456789ULL;
  params[2] = Param("block.0.name", VIR_TYPED_PARAM_STRING);
  params[2].value.s = name;
  params[3] = Param("vcpu.current", VIR_TYPED_PARAM_UINT);
  params[3].value.ui = 2;
  params[4] = Param("x.d", VIR_TYPED_PARAM_DOUBLE);
  params[4].value.d = 0.5;
  params[5] = Param("x.b", VIR_TYPED_PARAM_BOOLEAN);
  params[5].value.b = 1;
  NumericParams m = NumericTypedParams(params, 6);
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(m["state.state"], 1);
  EXPECT_EQ(m["cpu.time"], 123456789.0);
  EXPECT_EQ(m.count("block.0.name"), 0u);
  EXPECT_EQ(m["vcpu.current"], 2);
  EXPECT_EQ(m["x.d"], 0.5);
  EXPECT_EQ(m["x.b"], 1);
}

TEST(TypedParams, MigrationResult) {
  EXPECT_FALSE(MigrationResultFromJobStats({{"downtime", 5}}).has_value());
  auto r = MigrationResultFromJobStats({{"time_elapsed", 900}, {"downtime", 80}, {"data_processed", 1e6}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->total_ms, 900u);
  EXPECT_EQ(r->downtime_ms, 80u);
  EXPECT_EQ(r->bytes, 1000000u);
  auto split =
      MigrationResultFromJobStats({{"time_elapsed", 1}, {"memory_processed", 10}, {"disk_processed", 5}});
  EXPECT_EQ(split->bytes, 15u);
}

TEST(TypedParams, MigrationProgress) {
  MigrationProgress p = MigrationProgressFromJobStats(
      {{"data_total", 100}, {"data_processed", 40}, {"data_remaining", 60}, {"time_elapsed", 250}});
  EXPECT_EQ(p.data_total, 100u);
  EXPECT_EQ(p.data_processed, 40u);
  EXPECT_EQ(p.data_remaining, 60u);
  EXPECT_EQ(p.elapsed_ms, 250u);
}

TEST(LibvirtErrors, MapsCodes) {
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_NO_DOMAIN), StatusCode::kNotFound);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_OPERATION_INVALID), StatusCode::kFailedPrecondition);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_XML_ERROR), StatusCode::kInvalidArgument);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_NO_CONNECT), StatusCode::kUnavailable);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_DOM_EXIST), StatusCode::kAlreadyExists);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_INTERNAL_ERROR), StatusCode::kInternal);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC), StatusCode::kUnavailable);
  EXPECT_EQ(MapLibvirtErrorCode(VIR_ERR_SYSTEM_ERROR, VIR_FROM_QEMU), StatusCode::kIoError);
}

}  // namespace
}  // namespace tern::virt
