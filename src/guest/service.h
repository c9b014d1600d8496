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
#include "guest/union_fs.h"

namespace tern::guest {

struct ServiceOptions {
  std::string mountpoint = "/run/tern/context";
  std::string control_socket = kDefaultControlSocket;
  std::string hooks_dir;  // empty: no hooks
  std::vector<LayerSpec> initial_layers;
};

class GuestService {
 public:
  static Result<std::unique_ptr<GuestService>> Start(const ServiceOptions& options);
  GuestService(const GuestService&) = delete;
  GuestService& operator=(const GuestService&) = delete;
  ~GuestService();

  Result<LayerChange> Add(const LayerSpec& spec);
  Result<LayerChange> Replace(const LayerSpec& spec);
  Result<LayerChange> Remove(const std::string& name);
  bool HasLayer(const std::string& name);
  nlohmann::json StatusJson();

 private:
  GuestService() = default;
  nlohmann::json Handle(const nlohmann::json& request);
  Result<LayerChange> Changed(Result<LayerChange> change);

  ServiceOptions options_;
  UnionFs fs_;
  std::unique_ptr<HookRunner> hooks_;
  std::unique_ptr<FuseMount> mount_;
  std::unique_ptr<ControlServer> control_;
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace tern::guest
