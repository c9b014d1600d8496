#include "guest/service.h"

#include "guest/layer_hooks.h"
#include "guest/log.h"

namespace tern::guest {

std::string DescribeChange(uint64_t sequence, const LayerChange& c) {
  const Layer* layer = c.after ? c.after.get() : c.before.get();
  std::string out = "change seq=" + std::to_string(sequence) +
                    " event=" + std::string(LayerChangeKindName(c.kind)) + " class=" + c.name;
  if (layer != nullptr) {
    out += " priority=" + std::to_string(layer->spec().priority) +
           " generation=" + std::to_string(layer->spec().generation);
  }
  out += " paths=" + std::to_string(c.changed_paths.size()) + " changed=";
  constexpr size_t kListed = 16;
  for (size_t i = 0; i < c.changed_paths.size() && i < kListed; ++i) {
    if (i > 0) out += ",";
    out += c.changed_paths[i].empty() ? "." : c.changed_paths[i];
  }
  if (c.changed_paths.size() > kListed) out += ",...";
  return out;
}

Result<std::unique_ptr<GuestService>> GuestService::Start(const ServiceOptions& options) {
  auto s = std::unique_ptr<GuestService>(new GuestService());  // private constructor
  s->options_ = options;
  for (const LayerSpec& spec : options.initial_layers) {
    TERN_ASSIGN_OR_RETURN(auto layer, Layer::Open(spec));
    TERN_RETURN_IF_ERROR(s->fs_.layers().Add(std::move(layer)).status());
  }
  std::vector<std::string> dirs = options.hook_dirs;
  if (!options.layer_hooks_class.empty()) {
    dirs.push_back(options.layer_hooks_dir);
    Status exported = ClearLayerHooks(options.layer_hooks_dir);  // left over from an earlier run
    for (const auto& l : s->fs_.layers().Current()->layers) {
      if (l->name() == options.layer_hooks_class) exported = ExportLayerHooks(*l, options.layer_hooks_dir);
    }
    if (!exported.ok()) LogWarn("layer hooks: " + exported.ToString());
  }
  if (!dirs.empty()) s->hooks_ = std::make_unique<HookRunner>(dirs, options.mountpoint);
  TERN_ASSIGN_OR_RETURN(s->mount_, FuseMount::Start(s->fs_, options.mountpoint));
  if (!options.control_socket.empty()) {
    GuestService* self = s.get();
    TERN_ASSIGN_OR_RETURN(s->control_,
                          ControlServer::Start(options.control_socket,
                                               [self](const nlohmann::json& r) { return self->Handle(r); }));
  }
  LogInfo("union mounted at '" + options.mountpoint + "' with " +
          std::to_string(options.initial_layers.size()) + " layer(s); control socket '" +
          options.control_socket + "'");
  return s;
}

GuestService::~GuestService() {
  control_.reset();
  mount_.reset();
  hooks_.reset();
}

// Called with change_mutex_ held.
Result<LayerChange> GuestService::Changed(Result<LayerChange> change) {
  if (!change.ok()) return change;
  const LayerChange& c = *change;
  const uint64_t seq = ++sequence_;
  changes_ = seq;
  LogInfo(DescribeChange(seq, c));
  if (!options_.layer_hooks_class.empty() && c.name == options_.layer_hooks_class) {
    const Status s = c.after ? ExportLayerHooks(*c.after, options_.layer_hooks_dir)
                             : ClearLayerHooks(options_.layer_hooks_dir);
    if (!s.ok()) LogWarn("layer hooks: " + s.ToString());
  }
  if (hooks_) {
    HookEvent ev;
    ev.sequence = seq;
    ev.kind = std::string(LayerChangeKindName(c.kind));
    ev.classes = {c.name};
    for (const auto& l : fs_.layers().Current()->layers) ev.generations[l->name()] = l->spec().generation;
    ev.changed_paths = c.changed_paths;
    hooks_->Enqueue(std::move(ev));
  }
  return change;
}

Result<LayerChange> GuestService::Add(const LayerSpec& spec) {
  const std::lock_guard lock(change_mutex_);
  return Changed(fs_.Add(spec));
}
Result<LayerChange> GuestService::Replace(const LayerSpec& spec) {
  const std::lock_guard lock(change_mutex_);
  return Changed(fs_.Replace(spec));
}
Result<LayerChange> GuestService::Remove(const std::string& name) {
  const std::lock_guard lock(change_mutex_);
  return Changed(fs_.Remove(name));
}
Result<LayerChange> GuestService::AddLayer(std::shared_ptr<const Layer> layer) {
  const std::lock_guard lock(change_mutex_);
  return Changed(fs_.Add(std::move(layer)));
}
Result<LayerChange> GuestService::ReplaceLayer(std::shared_ptr<const Layer> layer) {
  const std::lock_guard lock(change_mutex_);
  return Changed(fs_.Replace(std::move(layer)));
}

bool GuestService::HasLayer(const std::string& name) {
  for (const auto& l : fs_.layers().Current()->layers) {
    if (l->name() == name) return true;
  }
  return false;
}

nlohmann::json GuestService::StatusJson() {
  auto snap = fs_.layers().Current();
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : snap->layers) {
    layers.push_back({{"name", l->name()},
                      {"dir", l->spec().dir},
                      {"priority", l->spec().priority},
                      {"generation", l->spec().generation},
                      {"snapshot", l->snapshot()},
                      {"entries", l->manifest().size()}});
  }
  return {{"ok", true},
          {"mount", options_.mountpoint},
          {"epoch", snap->epoch},
          {"changes", changes_.load()},
          {"nodes", fs_.NodeCount()},
          {"layers", layers}};
}

namespace {

// The fields of a control request, type-checked (a wrong type is bad input, not an exception).
Result<LayerSpec> SpecFromRequest(const nlohmann::json& r) {
  LayerSpec spec;
  for (const char* key : {"name", "dir"}) {
    if (r.contains(key) && !r[key].is_string())
      return Status::InvalidArgument(std::string("control request: '") + key + "' must be a string");
  }
  if (r.contains("priority") && !r["priority"].is_number_integer())
    return Status::InvalidArgument("control request: 'priority' must be an integer");
  if (r.contains("generation") && !r["generation"].is_number_unsigned())
    return Status::InvalidArgument("control request: 'generation' must be a non-negative integer");
  spec.name = r.value("name", "");
  spec.dir = r.value("dir", "");
  spec.priority = r.value("priority", 0);
  spec.generation = r.value("generation", uint64_t{0});
  return spec;
}

}  // namespace

nlohmann::json GuestService::Handle(const nlohmann::json& request) {
  const std::string op =
      request.contains("op") && request["op"].is_string() ? request["op"].get<std::string>() : "";
  if (op == "status") return StatusJson();
  Result<LayerChange> change = Status::InvalidArgument("control request: unknown op '" + op + "'");
  if (op == "add" || op == "replace" || op == "remove") {
    Result<LayerSpec> spec = SpecFromRequest(request);
    if (!spec.ok()) {
      change = spec.status();
    } else if (op == "remove") {
      change = Remove(spec->name);
    } else {
      change = op == "add" ? Add(*spec) : Replace(*spec);
    }
  }
  if (!change.ok()) return {{"ok", false}, {"error", change.status().ToString()}};
  return {{"ok", true}, {"changed_paths", change->changed_paths}};
}

}  // namespace tern::guest
