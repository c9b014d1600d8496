// Pure conversions of libvirt typed parameters (domain stats, job stats) into tern's value types.
#pragma once

#include <libvirt/libvirt.h>

#include <map>
#include <optional>
#include <string>

#include "virt/hypervisor.h"

namespace tern::virt {

using NumericParams = std::map<std::string, double>;

// Numeric fields only (int, uint, llong, ullong, double; boolean as 0/1); strings are left out.
NumericParams NumericTypedParams(const virTypedParameter* params, int nparams);

// From completed job statistics: time_elapsed -> total_ms, downtime -> downtime_ms, data_processed (or
// memory_processed + disk_processed) -> bytes. nullopt when time_elapsed is missing.
std::optional<MigrationResult> MigrationResultFromJobStats(const NumericParams& job);

MigrationProgress MigrationProgressFromJobStats(const NumericParams& job);

}  // namespace tern::virt
