// GuestService: a served union with its control socket and hooks — what `tern-guest mount` and
// `tern-guest agent` run. Every layer change goes through here, so hooks see each one exactly once.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "guest/control.h"
#include "guest/fuse_mount.h"
#include "guest/hooks.h"
#include "guest/layer_sink.h"
#include "guest/union_fs.h"

namespace tern::guest {

struct ServiceOptions {
  std::string mountpoint = "/run/tern/context";
  std::string control_socket = kDefaultControlSocket;
  std::vector<std::string> hook_dirs;  // empty (and no layer hooks): no hooks
  // Hooks shipped in a layer: the `hooks/` executables of the layer named `layer_hooks_class` are copied to
  // `layer_hooks_dir` whenever that layer changes, and run from there after the hooks of `hook_dirs`
  // of the same name. Empty class: none.
  std::string layer_hooks_class;
  std::string layer_hooks_dir = "/run/tern/hooks/layer";
  std::vector<LayerSpec> initial_layers;
};

class GuestService : public LayerSink {
 public:
  static Result<std::unique_ptr<GuestService>> Start(const ServiceOptions& options);
  GuestService(const GuestService&) = delete;
  GuestService& operator=(const GuestService&) = delete;
  ~GuestService() override;

  Result<LayerChange> Add(const LayerSpec& spec);
  Result<LayerChange> Replace(const LayerSpec& spec);
  Result<LayerChange> Remove(const std::string& name);
  nlohmann::json StatusJson();

  // LayerSink (the media watcher).
  Result<LayerChange> AddLayer(std::shared_ptr<const Layer> layer) override;
  Result<LayerChange> ReplaceLayer(std::shared_ptr<const Layer> layer) override;
  Result<LayerChange> RemoveLayer(const std::string& name) override { return Remove(name); }
  bool HasLayer(const std::string& name) override;

 private:
  GuestService() = default;
  nlohmann::json Handle(const nlohmann::json& request);
  Result<LayerChange> Changed(Result<LayerChange> change);

  ServiceOptions options_;
  UnionFs fs_;
  std::unique_ptr<HookRunner> hooks_;
  std::unique_ptr<FuseMount> mount_;
  std::unique_ptr<ControlServer> control_;
  std::mutex change_mutex_;  // one change at a time, so hooks see them in order
  uint64_t sequence_ = 0;
  std::atomic<uint64_t> changes_{0};
};

// "change seq=3 event=replace class=infrastructure priority=20 generation=2 paths=2
// changed=values/a,values/b" (at most 16 paths listed): the line the agent logs for each change.
std::string DescribeChange(uint64_t sequence, const LayerChange& change);

}  // namespace tern::guest
