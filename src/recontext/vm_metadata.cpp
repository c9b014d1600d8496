#include "recontext/vm_metadata.h"

#include <nlohmann/json.hpp>

namespace tern::recontext {

using nlohmann::json;

std::map<std::string, std::string> EncodeVmMetadata(const store::VmRecord& vm,
                                                    const std::vector<store::LayerRecord>& layers) {
  json arr = json::array();
  for (const auto& l : layers) {
    arr.push_back({{"class", l.class_name},
                   {"priority", l.priority},
                   {"generation", l.generation},
                   {"origin", l.origin},
                   {"device", l.target_dev},
                   {"iso", l.iso_path},
                   {"changed_at_ms", l.changed_at_ms},
                   {"reason", l.reason},
                   {"digest", l.digest}});
  }
  return {{"managed", "1"},
          {"host", vm.host},
          {"manifest", vm.manifest_source},
          {"instance_id", vm.instance_id},
          {"created_at_ms", std::to_string(vm.created_at_ms)},
          {"layers", arr.dump()}};
}

Result<VmMetadata> DecodeVmMetadata(const std::string& domain,
                                    const std::map<std::string, std::string>& values) {
  const auto it = values.find("managed");
  if (it == values.end() || it->second != "1") {
    return Status::NotFound("domain '" + domain + "' is not managed by tern (no tern metadata)");
  }
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("domain '" + domain + "': tern metadata: " + why);
  };
  VmMetadata m;
  m.vm.name = domain;
  const auto get = [&](const char* key) {
    auto f = values.find(key);
    return f == values.end() ? std::string() : f->second;
  };
  m.vm.host = get("host");
  m.vm.manifest_source = get("manifest");
  m.vm.instance_id = get("instance_id");
  try {
    m.vm.created_at_ms = get("created_at_ms").empty() ? 0 : std::stoll(get("created_at_ms"));
  } catch (const std::exception&) {
    return bad("created_at_ms is not a number");
  }
  const json arr = json::parse(get("layers"), nullptr, /*allow_exceptions=*/false);
  if (!arr.is_array()) return bad("layers is not a JSON array");
  for (const auto& j : arr) {
    if (!j.is_object()) return bad("a layer is not an object");
    store::LayerRecord l;
    try {
      l.vm = domain;
      l.class_name = j.at("class").get<std::string>();
      l.priority = j.at("priority").get<int>();
      l.generation = j.at("generation").get<uint64_t>();
      l.origin = j.at("origin").get<std::string>();
      l.target_dev = j.at("device").get<std::string>();
      l.iso_path = j.at("iso").get<std::string>();
      l.changed_at_ms = j.value("changed_at_ms", int64_t{0});
      l.reason = j.value("reason", std::string());
      l.digest = j.value("digest", std::string());
    } catch (const json::exception& e) {
      return bad(std::string("layer field: ") + e.what());
    }
    m.layers.push_back(std::move(l));
  }
  return m;
}

std::string BusOfDevice(const std::string& target_dev) {
  return target_dev.rfind("hd", 0) == 0 ? "ide" : "scsi";
}

}  // namespace tern::recontext
