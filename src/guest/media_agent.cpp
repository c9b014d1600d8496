#include "guest/media_agent.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "core/files.h"
#include "guest/log.h"

namespace tern::guest {

MediaAgent::MediaAgent(LayerSink& sink, const MediaAgentOptions& options)
    : options_(options),
      drives_(options.sys_block, options.dev_dir),
      loader_(options.layers_dir, options.dev_dir),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (Status s = MakeDirs(options_.layers_dir); !s.ok()) LogWarn("media watcher: " + s.ToString());
  watcher_ = std::make_unique<MediaWatcher>(drives_, loader_, sink, options_.watcher);
  LogInfo(std::string("media watcher: polling every ") + std::to_string(options_.poll.count()) + " ms" +
          (uevents_.listening() ? ", and on CD-ROM uevents" : " (no uevent socket)") + "; layers under '" +
          options_.layers_dir + "'");
  thread_ = std::thread([this] { Run(); });
}

MediaAgent::~MediaAgent() {
  stop_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
  thread_.join();
}

void MediaAgent::Run() {
  while (!stop_.load()) {
    watcher_->Scan(MediaWatcher::Clock::now());
    uevents_.Wait(options_.poll, wake_.get());
  }
}

}  // namespace tern::guest
