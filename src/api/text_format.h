// Human-readable renderings of API views for the `tern` CLI (tables and detail blocks).
#pragma once

#include <string>
#include <vector>

#include "api/types.h"

namespace tern::api {

std::string FormatTimeMs(int64_t ms);  // "2026-11-21 22:40:01.123Z"
std::string FormatVmTable(const std::vector<VmView>& vms);
std::string FormatVmDetail(const VmView& vm);
std::string FormatEvents(const std::vector<EventView>& events);
std::string FormatHost(const HostView& host);

}  // namespace tern::api
