// Minimal logging for tern-guest (stderr, one line per message); no dependency so the binary links
// statically. In marker mode (the test guest) every line is a "TERN:FFS ..." serial-console marker.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tern::guest {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
// Off: "tern-guest [uptime] level: message". On: "TERN:FFS level=<level> <message>", with CR/LF in the
// message replaced by spaces. Either way each line is written with a single write(2), so lines of other
// processes sharing the console never split it.
void SetLogMarkers(bool on);
void Log(LogLevel level, std::string_view message);
// Tests: also hand every message (at any level) to `capture`; an empty function stops that.
void SetLogCapture(std::function<void(LogLevel, std::string_view)> capture);
inline void LogInfo(std::string_view m) {
  Log(LogLevel::kInfo, m);
}
inline void LogWarn(std::string_view m) {
  Log(LogLevel::kWarn, m);
}
inline void LogError(std::string_view m) {
  Log(LogLevel::kError, m);
}

// The line Log writes for `message` (without the trailing newline), for tests.
std::string FormatLogLine(LogLevel level, std::string_view message, bool markers, double uptime_seconds);

}  // namespace tern::guest
