// Hooks: executables in hook directories run after each layer change, once per change and in name order,
// with the change in their environment. A hook that declares watched paths runs only when one of them
// changed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tern::guest {

// One change as hooks see it.
struct HookEvent {
  uint64_t sequence = 0;
  std::string kind;                             // add | replace | remove
  std::vector<std::string> classes;             // the layers the change touched
  std::map<std::string, uint64_t> generations;  // every layer in the union after the change -> generation
  std::vector<std::string> changed_paths;       // visible paths that changed, relative to the union root
};

// Watch declarations of a hook: lines "# tern-watch: PATH..." in its first 4 KiB, and the lines of
// HOOK.watch next to it. Empty: the hook watches everything.
std::vector<std::string> ReadHookWatches(const std::string& hook_path);

// True when a changed path is a watched path or lies inside one (a watch "values" matches a change of
// "values/ip"; a watch "values/ip" matches "values/ip" and "values/ip/x" but not "values"); a trailing '/' on
// a watch is ignored. A change of a directory lists the paths below it that changed too, so a watched key
// is matched by itself.
bool WatchMatches(const std::vector<std::string>& watches, const std::vector<std::string>& changed);

// The environment hooks get (besides the agent's own): TERN_EVENT, TERN_CHANGE_SEQ, TERN_CHANGED_CLASSES
// (space-separated), TERN_GENERATIONS ("class=generation" space-separated), TERN_CHANGED_PATHS
// (newline-separated), TERN_CONTEXT (the union's mount point).
std::vector<std::string> HookEnvironment(const HookEvent& event, const std::string& mountpoint);

// The executable regular files of `dirs` (names starting with '.' and *.watch skipped), ordered by file name,
// then by the order of the directories. A directory that does not exist contributes nothing.
std::vector<std::string> ListHooks(const std::vector<std::string>& dirs);

class HookRunner {
 public:
  HookRunner(std::vector<std::string> hook_dirs, std::string mountpoint, int timeout_seconds = 60);
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;
  ~HookRunner();  // finishes queued events first

  void Enqueue(HookEvent event);

 private:
  void Run();
  void RunOne(const std::string& path, const HookEvent& event);
  std::vector<std::string> dirs_;
  std::string mountpoint_;
  int timeout_seconds_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<HookEvent> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tern::guest
