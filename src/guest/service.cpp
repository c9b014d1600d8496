#include "guest/service.h"

#include "guest/log.h"

namespace tern::guest {

Result<std::unique_ptr<GuestService>> GuestService::Start(const ServiceOptions& options) {
  auto s = std::unique_ptr<GuestService>(new GuestService());  // private constructor
  s->options_ = options;
  for (const LayerSpec& spec : options.initial_layers) {
    TERN_ASSIGN_OR_RETURN(auto layer, Layer::Open(spec));
    TERN_RETURN_IF_ERROR(s->fs_.layers().Add(std::move(layer)).status());
  }
  if (!options.hooks_dir.empty())
    s->hooks_ = std::make_unique<HookRunner>(options.hooks_dir, options.mountpoint);
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

Result<LayerChange> GuestService::Changed(Result<LayerChange> change) {
  if (!change.ok()) return change;
  const LayerChange& c = *change;
  const uint64_t seq = ++sequence_;
  const auto* layer = c.after ? c.after.get() : c.before.get();
  LogInfo("change " + std::to_string(seq) + ": " + std::string(LayerChangeKindName(c.kind)) + " layer '" +
          c.name + "' (priority " + std::to_string(layer->spec().priority) + ", generation " +
          std::to_string(layer->spec().generation) + "), " + std::to_string(c.changed_paths.size()) +
          " path(s) changed");
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
  return Changed(fs_.Add(spec));
}
Result<LayerChange> GuestService::Replace(const LayerSpec& spec) {
  return Changed(fs_.Replace(spec));
}
Result<LayerChange> GuestService::Remove(const std::string& name) {
  return Changed(fs_.Remove(name));
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
                      {"entries", l->manifest().size()}});
  }
  return {{"ok", true},
          {"mount", options_.mountpoint},
          {"epoch", snap->epoch},
          {"changes", sequence_.load()},
          {"nodes", fs_.NodeCount()},
          {"layers", layers}};
}

nlohmann::json GuestService::Handle(const nlohmann::json& request) {
  const std::string op = request.value("op", "");
  if (op == "status") return StatusJson();
  Result<LayerChange> change = Status::InvalidArgument("control request: unknown op '" + op + "'");
  if (op == "add" || op == "replace") {
    LayerSpec spec;
    spec.name = request.value("name", "");
    spec.dir = request.value("dir", "");
    spec.priority = request.value("priority", 0);
    spec.generation = request.value("generation", uint64_t{0});
    change = op == "add" ? Add(spec) : Replace(spec);
  } else if (op == "remove") {
    change = Remove(request.value("name", ""));
  }
  if (!change.ok()) return {{"ok", false}, {"error", change.status().ToString()}};
  return {{"ok", true}, {"changed_paths", change->changed_paths}};
}

}  // namespace tern::guest
