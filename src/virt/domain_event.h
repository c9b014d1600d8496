// Lifecycle events of domains as tern sees them, and their pure decoding from libvirt's (event, detail)
// numbers.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace tern::virt {

enum class LifecycleEvent {
  kDefined,
  kUndefined,
  kStarted,
  kSuspended,
  kResumed,
  kStopped,
  kShutdown,
  kPMSuspended,
  kCrashed,
  kUnknown
};

struct DomainEvent {
  std::string domain;
  std::string uuid;
  LifecycleEvent event = LifecycleEvent::kUnknown;
  int detail = 0;
  std::string event_name;   // "STARTED", "RESUMED", ...
  std::string detail_name;  // "BOOTED", "MIGRATED", ...
  std::chrono::system_clock::time_point at;
};

// Pure: maps virDomainEventType / its detail enums to names ("RESUMED"/"MIGRATED" for 4/1). Unknown numbers
// give kUnknown / "UNKNOWN". `at` is set to now.
DomainEvent DecodeLifecycleEvent(const std::string& domain, const std::string& uuid, int event, int detail);

std::string_view LifecycleEventName(LifecycleEvent event);

}  // namespace tern::virt
