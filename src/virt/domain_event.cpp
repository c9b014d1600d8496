#include "virt/domain_event.h"

#include <libvirt/libvirt.h>

#include <array>
#include <span>

namespace tern::virt {
namespace {

// Detail names per event, indexed by libvirt's detail enums (virDomainEvent*DetailType).
constexpr std::array<const char*, 4> kDefined = {"ADDED", "UPDATED", "RENAMED", "FROM_SNAPSHOT"};
constexpr std::array<const char*, 2> kUndefined = {"REMOVED", "RENAMED"};
constexpr std::array<const char*, 5> kStarted = {"BOOTED", "MIGRATED", "RESTORED", "FROM_SNAPSHOT", "WAKEUP"};
constexpr std::array<const char*, 9> kSuspended = {"PAUSED",    "MIGRATED", "IOERROR",
                                                   "WATCHDOG",  "RESTORED", "FROM_SNAPSHOT",
                                                   "API_ERROR", "POSTCOPY", "POSTCOPY_FAILED"};
constexpr std::array<const char*, 5> kResumed = {"UNPAUSED", "MIGRATED", "FROM_SNAPSHOT", "POSTCOPY",
                                                 "POSTCOPY_FAILED"};
constexpr std::array<const char*, 7> kStopped = {"SHUTDOWN", "DESTROYED", "CRASHED",      "MIGRATED",
                                                 "SAVED",    "FAILED",    "FROM_SNAPSHOT"};
constexpr std::array<const char*, 3> kShutdown = {"FINISHED", "GUEST", "HOST"};
constexpr std::array<const char*, 2> kPMSuspended = {"MEMORY", "DISK"};
constexpr std::array<const char*, 2> kCrashed = {"PANICKED", "CRASHLOADED"};

// The tables above follow libvirt's numbering; these pin the ones tern relies on.
static_assert(VIR_DOMAIN_EVENT_DEFINED == 0 && VIR_DOMAIN_EVENT_CRASHED == 8);
static_assert(VIR_DOMAIN_EVENT_STARTED_MIGRATED == 1 && VIR_DOMAIN_EVENT_RESUMED_MIGRATED == 1);
static_assert(VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED == 1 && VIR_DOMAIN_EVENT_STOPPED_MIGRATED == 3);
static_assert(VIR_DOMAIN_EVENT_STOPPED_DESTROYED == 1 && VIR_DOMAIN_EVENT_SHUTDOWN_HOST == 2);
static_assert(VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED == 8 && VIR_DOMAIN_EVENT_STARTED_WAKEUP == 4);

struct EventKind {
  LifecycleEvent event;
  std::span<const char* const> details;
};

EventKind KindOf(int event) {
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED:
      return {LifecycleEvent::kDefined, kDefined};
    case VIR_DOMAIN_EVENT_UNDEFINED:
      return {LifecycleEvent::kUndefined, kUndefined};
    case VIR_DOMAIN_EVENT_STARTED:
      return {LifecycleEvent::kStarted, kStarted};
    case VIR_DOMAIN_EVENT_SUSPENDED:
      return {LifecycleEvent::kSuspended, kSuspended};
    case VIR_DOMAIN_EVENT_RESUMED:
      return {LifecycleEvent::kResumed, kResumed};
    case VIR_DOMAIN_EVENT_STOPPED:
      return {LifecycleEvent::kStopped, kStopped};
    case VIR_DOMAIN_EVENT_SHUTDOWN:
      return {LifecycleEvent::kShutdown, kShutdown};
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      return {LifecycleEvent::kPMSuspended, kPMSuspended};
    case VIR_DOMAIN_EVENT_CRASHED:
      return {LifecycleEvent::kCrashed, kCrashed};
    default:
      return {LifecycleEvent::kUnknown, {}};
  }
}

}  // namespace

std::string_view LifecycleEventName(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::kDefined:
      return "DEFINED";
    case LifecycleEvent::kUndefined:
      return "UNDEFINED";
    case LifecycleEvent::kStarted:
      return "STARTED";
    case LifecycleEvent::kSuspended:
      return "SUSPENDED";
    case LifecycleEvent::kResumed:
      return "RESUMED";
    case LifecycleEvent::kStopped:
      return "STOPPED";
    case LifecycleEvent::kShutdown:
      return "SHUTDOWN";
    case LifecycleEvent::kPMSuspended:
      return "PMSUSPENDED";
    case LifecycleEvent::kCrashed:
      return "CRASHED";
    case LifecycleEvent::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

DomainEvent DecodeLifecycleEvent(const std::string& domain, const std::string& uuid, int event, int detail) {
  EventKind kind = KindOf(event);
  DomainEvent out;
  out.domain = domain;
  out.uuid = uuid;
  out.event = kind.event;
  out.detail = detail;
  out.event_name = std::string(LifecycleEventName(kind.event));
  out.detail_name =
      detail >= 0 && static_cast<size_t>(detail) < kind.details.size() ? kind.details[detail] : "UNKNOWN";
  out.at = std::chrono::system_clock::now();
  return out;
}

}  // namespace tern::virt
