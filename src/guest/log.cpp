#include "guest/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace tern::guest {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<bool> g_markers{false};
std::mutex g_mutex;
std::function<void(LogLevel, std::string_view)> g_capture;  // guarded by g_mutex

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

void SetLogMarkers(bool on) {
  g_markers = on;
}

std::string FormatLogLine(LogLevel level, std::string_view message, bool markers, double uptime_seconds) {
  std::string line;
  if (markers) {
    line = std::string("TERN:FFS level=") + LevelName(level) + " ";
    for (const char c : message) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
    return line;
  }
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "tern-guest [%.2f] %s: ", uptime_seconds, LevelName(level));
  line = stamp;
  line.append(message);
  return line;
}

void SetLogCapture(std::function<void(LogLevel, std::string_view)> capture) {
  const std::lock_guard lock(g_mutex);
  g_capture = std::move(capture);
}

void Log(LogLevel level, std::string_view message) {
  {
    const std::lock_guard lock(g_mutex);
    if (g_capture) g_capture(level, message);
  }
  if (level < g_level.load()) return;
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  std::string line = FormatLogLine(level, message, g_markers.load(),
                                   static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9);
  line.push_back('\n');
  const std::lock_guard lock(g_mutex);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace tern::guest
