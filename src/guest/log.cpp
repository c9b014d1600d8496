#include "guest/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace tern::guest {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel level) {
  g_level = level;
}

void Log(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "tern-guest [%ld.%02ld] %s: ", static_cast<long>(ts.tv_sec),
                static_cast<long>(ts.tv_nsec / 10000000), LevelName(level));
  std::string line = stamp;
  line.append(message);
  line.push_back('\n');
  const std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace tern::guest
