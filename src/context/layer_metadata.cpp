#include "context/layer_metadata.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace tern::context {

std::string RenderLayerMetadataJson(const LayerMetadata& meta) {
  nlohmann::ordered_json j;
  j["class"] = meta.class_name;
  j["generation"] = meta.generation;
  j["origin"] = meta.origin;
  j["priority"] = meta.priority;
  j["format"] = kLayerMetadataFormat;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<LayerMetadata> ParseLayerMetadataJson(const std::string& json, const std::string& source_name) {
  const auto bad = [&](const std::string& why) { return Status::InvalidArgument(source_name + ": " + why); };
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("not valid JSON");
  if (!j.is_object()) return bad("expected a JSON object");
  const auto field = [&](const char* key) -> const nlohmann::json* {
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  };
  const nlohmann::json* format = field("format");
  if (format == nullptr || !format->is_number_integer()) return bad("'format' is missing or not an integer");
  if (!format->is_number_unsigned() || format->get<uint64_t>() != kLayerMetadataFormat) {
    return bad("unsupported layer metadata format " + format->dump() + " (this tern reads format " +
               std::to_string(kLayerMetadataFormat) + ")");
  }
  LayerMetadata meta;
  const nlohmann::json* cls = field("class");
  if (cls == nullptr || !cls->is_string()) return bad("'class' is missing or not a string");
  meta.class_name = cls->get<std::string>();
  const nlohmann::json* priority = field("priority");
  if (priority == nullptr || !priority->is_number_integer())
    return bad("'priority' is missing or not an integer");
  const bool too_big = priority->is_number_unsigned() &&
                       priority->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int>::max());
  const int64_t prio = too_big ? 0 : priority->get<int64_t>();
  if (too_big || prio < std::numeric_limits<int>::min()) {
    return bad("'priority' is out of range");
  }
  meta.priority = static_cast<int>(prio);
  const nlohmann::json* generation = field("generation");
  if (generation == nullptr || !generation->is_number_unsigned()) {
    return bad("'generation' is missing or not a non-negative integer");
  }
  meta.generation = generation->get<uint64_t>();
  const nlohmann::json* origin = field("origin");
  if (origin == nullptr || !origin->is_string()) return bad("'origin' is missing or not a string");
  meta.origin = origin->get<std::string>();
  return meta;
}

}  // namespace tern::context
