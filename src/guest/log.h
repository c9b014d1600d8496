// Minimal logging for tern-guest (stderr, one line per message); no dependency so the binary links
// statically.
#pragma once

#include <string_view>

namespace tern::guest {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) {
  Log(LogLevel::kInfo, m);
}
inline void LogWarn(std::string_view m) {
  Log(LogLevel::kWarn, m);
}
inline void LogError(std::string_view m) {
  Log(LogLevel::kError, m);
}

}  // namespace tern::guest
