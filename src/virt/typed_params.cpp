#include "virt/typed_params.h"

namespace tern::virt {
namespace {

uint64_t Get(const NumericParams& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() || it->second < 0 ? 0 : static_cast<uint64_t>(it->second);
}

}  // namespace

NumericParams NumericTypedParams(const virTypedParameter* params, int nparams) {
  NumericParams out;
  for (int i = 0; i < nparams; ++i) {
    const virTypedParameter& p = params[i];
    switch (p.type) {
      case VIR_TYPED_PARAM_INT:
        out[p.field] = p.value.i;
        break;
      case VIR_TYPED_PARAM_UINT:
        out[p.field] = p.value.ui;
        break;
      case VIR_TYPED_PARAM_LLONG:
        out[p.field] = static_cast<double>(p.value.l);
        break;
      case VIR_TYPED_PARAM_ULLONG:
        out[p.field] = static_cast<double>(p.value.ul);
        break;
      case VIR_TYPED_PARAM_DOUBLE:
        out[p.field] = p.value.d;
        break;
      case VIR_TYPED_PARAM_BOOLEAN:
        out[p.field] = p.value.b != 0 ? 1.0 : 0.0;
        break;
      default:
        break;  // strings
    }
  }
  return out;
}

std::optional<MigrationResult> MigrationResultFromJobStats(const NumericParams& job) {
  if (job.find(VIR_DOMAIN_JOB_TIME_ELAPSED) == job.end()) return std::nullopt;
  MigrationResult r;
  r.total_ms = Get(job, VIR_DOMAIN_JOB_TIME_ELAPSED);
  r.downtime_ms = Get(job, VIR_DOMAIN_JOB_DOWNTIME);
  r.bytes = job.count(VIR_DOMAIN_JOB_DATA_PROCESSED) != 0
                ? Get(job, VIR_DOMAIN_JOB_DATA_PROCESSED)
                : Get(job, VIR_DOMAIN_JOB_MEMORY_PROCESSED) + Get(job, VIR_DOMAIN_JOB_DISK_PROCESSED);
  return r;
}

MigrationProgress MigrationProgressFromJobStats(const NumericParams& job) {
  MigrationProgress p;
  p.data_total = Get(job, VIR_DOMAIN_JOB_DATA_TOTAL);
  p.data_processed = Get(job, VIR_DOMAIN_JOB_DATA_PROCESSED);
  p.data_remaining = Get(job, VIR_DOMAIN_JOB_DATA_REMAINING);
  p.elapsed_ms = Get(job, VIR_DOMAIN_JOB_TIME_ELAPSED);
  return p;
}

}  // namespace tern::virt
