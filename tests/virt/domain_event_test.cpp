#include "virt/domain_event.h"

#include <gtest/gtest.h>

namespace tern::virt {
namespace {

TEST(DecodeLifecycleEvent, ResumedMigrated) {
  DomainEvent e = DecodeLifecycleEvent("web1", "u-1", 4, 1);
  EXPECT_EQ(e.domain, "web1");
  EXPECT_EQ(e.uuid, "u-1");
  EXPECT_EQ(e.event, LifecycleEvent::kResumed);
  EXPECT_EQ(e.detail, 1);
  EXPECT_EQ(e.event_name, "RESUMED");
  EXPECT_EQ(e.detail_name, "MIGRATED");
  EXPECT_GT(e.at.time_since_epoch().count(), 0);
}

TEST(DecodeLifecycleEvent, StartedMigratedAndBooted) {
  DomainEvent e = DecodeLifecycleEvent("web1", "", 2, 1);
  EXPECT_EQ(e.event, LifecycleEvent::kStarted);
  EXPECT_EQ(e.event_name, "STARTED");
  EXPECT_EQ(e.detail_name, "MIGRATED");
  EXPECT_EQ(DecodeLifecycleEvent("x", "", 2, 0).detail_name, "BOOTED");
}

TEST(DecodeLifecycleEvent, AllEventKinds) {
  struct Case {
    int event, detail;
    LifecycleEvent kind;
    const char* event_name;
    const char* detail_name;
  };
  const Case cases[] = {
      {0, 0, LifecycleEvent::kDefined, "DEFINED", "ADDED"},
      {0, 1, LifecycleEvent::kDefined, "DEFINED", "UPDATED"},
      {1, 0, LifecycleEvent::kUndefined, "UNDEFINED", "REMOVED"},
      {3, 0, LifecycleEvent::kSuspended, "SUSPENDED", "PAUSED"},
      {3, 1, LifecycleEvent::kSuspended, "SUSPENDED", "MIGRATED"},
      {4, 0, LifecycleEvent::kResumed, "RESUMED", "UNPAUSED"},
      {5, 0, LifecycleEvent::kStopped, "STOPPED", "SHUTDOWN"},
      {5, 1, LifecycleEvent::kStopped, "STOPPED", "DESTROYED"},
      {5, 3, LifecycleEvent::kStopped, "STOPPED", "MIGRATED"},
      {5, 5, LifecycleEvent::kStopped, "STOPPED", "FAILED"},
      {6, 1, LifecycleEvent::kShutdown, "SHUTDOWN", "GUEST"},
      {6, 2, LifecycleEvent::kShutdown, "SHUTDOWN", "HOST"},
      {7, 0, LifecycleEvent::kPMSuspended, "PMSUSPENDED", "MEMORY"},
      {8, 0, LifecycleEvent::kCrashed, "CRASHED", "PANICKED"},
  };
  for (const auto& c : cases) {
    DomainEvent e = DecodeLifecycleEvent("d", "", c.event, c.detail);
    EXPECT_EQ(e.event, c.kind) << c.event << "/" << c.detail;
    EXPECT_EQ(e.event_name, c.event_name) << c.event << "/" << c.detail;
    EXPECT_EQ(e.detail_name, c.detail_name) << c.event << "/" << c.detail;
  }
}

TEST(DecodeLifecycleEvent, UnknownNumbers) {
  DomainEvent e = DecodeLifecycleEvent("d", "", 42, 0);
  EXPECT_EQ(e.event, LifecycleEvent::kUnknown);
  EXPECT_EQ(e.event_name, "UNKNOWN");
  EXPECT_EQ(e.detail_name, "UNKNOWN");
  EXPECT_EQ(DecodeLifecycleEvent("d", "", 4, 99).detail_name, "UNKNOWN");
  EXPECT_EQ(DecodeLifecycleEvent("d", "", 4, -1).detail_name, "UNKNOWN");
  EXPECT_EQ(DecodeLifecycleEvent("d", "", 4, 99).event_name, "RESUMED");
}

}  // namespace
}  // namespace tern::virt
