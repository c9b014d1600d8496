#include "guest/hooks.h"

#include <dirent.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "guest/log.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX

namespace tern::guest {
namespace {

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) {
    while (w.size() > 1 && w.back() == '/') w.pop_back();
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

bool Covers(const std::string& outer, const std::string& inner) {
  return inner == outer || (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
                            inner[outer.size()] == '/');
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::vector<std::string> ReadHookWatches(const std::string& hook_path) {
  std::vector<std::string> out;
  {
    std::ifstream in(hook_path, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    std::istringstream lines(head);
    const std::string tag = "# tern-watch:";
    for (std::string line; std::getline(lines, line);) {
      if (line.compare(0, tag.size(), tag) == 0) {
        for (auto& w : Words(line.substr(tag.size()))) out.push_back(w);
      }
    }
  }
  std::ifstream watch(hook_path + ".watch");
  for (std::string line; std::getline(watch, line);) {
    if (line.empty() || line[0] == '#') continue;
    for (auto& w : Words(line)) out.push_back(w);
  }
  return out;
}

bool WatchMatches(const std::vector<std::string>& watches, const std::vector<std::string>& changed) {
  if (watches.empty()) return true;
  for (const auto& w : watches) {
    for (const auto& c : changed) {
      if (Covers(w, c)) return true;
    }
  }
  return false;
}

std::vector<std::string> HookEnvironment(const HookEvent& event, const std::string& mountpoint) {
  std::vector<std::string> gens;
  for (const auto& [cls, gen] : event.generations) gens.push_back(cls + "=" + std::to_string(gen));
  return {
      "TERN_EVENT=" + event.kind,
      "TERN_CHANGE_SEQ=" + std::to_string(event.sequence),
      "TERN_CHANGED_CLASSES=" + Join(event.classes, " "),
      "TERN_GENERATIONS=" + Join(gens, " "),
      "TERN_CHANGED_PATHS=" + Join(event.changed_paths, "\n"),
      "TERN_CONTEXT=" + mountpoint,
  };
}

std::vector<std::string> ListHooks(const std::vector<std::string>& dirs) {
  struct Found {
    std::string name;
    size_t dir_index;
    std::string path;
  };
  std::vector<Found> found;
  for (size_t i = 0; i < dirs.size(); ++i) {
    DIR* d = ::opendir(dirs[i].c_str());
    if (d == nullptr) continue;
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.empty() || name[0] == '.' || name.ends_with(".watch")) continue;
      const std::string path = dirs[i] + "/" + name;
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) {
        found.push_back({name, i, path});
      }
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.name != b.name ? a.name < b.name : a.dir_index < b.dir_index;
  });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.path));
  return out;
}

HookRunner::HookRunner(std::vector<std::string> hook_dirs, std::string mountpoint, int timeout_seconds)
    : dirs_(std::move(hook_dirs)), mountpoint_(std::move(mountpoint)), timeout_seconds_(timeout_seconds) {
  thread_ = std::thread([this] { Run(); });
}

HookRunner::~HookRunner() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HookRunner::Enqueue(HookEvent event) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void HookRunner::Run() {
  for (;;) {
    HookEvent event;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    for (const auto& h : ListHooks(dirs_)) {
      if (!WatchMatches(ReadHookWatches(h), event.changed_paths)) continue;
      RunOne(h, event);
    }
  }
}

void HookRunner::RunOne(const std::string& path, const HookEvent& event) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "TERN_", 5) != 0) env.emplace_back(*e);
  }
  for (auto& s : HookEnvironment(event, mountpoint_)) env.push_back(std::move(s));
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = path;
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, envp.data());
  if (rc != 0) {
    LogWarn("hook '" + path + "': cannot run: " + std::strerror(rc));
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds_);
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) return;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      LogWarn("hook '" + path + "': killed after " + std::to_string(timeout_seconds_) + " s");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    LogInfo("hook '" + path + "' ran for change " + std::to_string(event.sequence));
  } else {
    LogWarn("hook '" + path + "' failed for change " + std::to_string(event.sequence) + ": " +
            (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                               : "signal " + std::to_string(WTERMSIG(status))));
  }
}

}  // namespace tern::guest
