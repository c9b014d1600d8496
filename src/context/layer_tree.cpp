#include "context/layer_tree.h"

#include <algorithm>

#include "context/names.h"
#include "context/nocloud.h"

namespace tern::context {

Result<std::vector<LayerEntry>> RenderLayerTree(const ContextClass& cls, const LayerMetadata& meta,
                                                const IsoOptions& opts) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("layer of class '" + cls.name + "': " + why);
  };
  TERN_RETURN_IF_ERROR(ValidateClassName(cls.name).WithContext("layer"));
  LayerMetadata written = meta;
  if (written.class_name.empty()) {
    written.class_name = cls.name;
    written.priority = cls.priority;
  } else if (written.class_name != cls.name || written.priority != cls.priority) {
    return bad("the metadata names class '" + written.class_name + "' priority " +
               std::to_string(written.priority) + " but the class is '" + cls.name + "' priority " +
               std::to_string(cls.priority));
  }

  std::vector<LayerEntry> entries;
  entries.push_back({kLayerMetadataPath, RenderLayerMetadataJson(written) + "\n", 0644});
  for (const auto& [key, value] : cls.values) {
    if (Status s = ValidateValueKey(key); !s.ok()) return bad(s.message());
    entries.push_back({std::string(kValuesDir) + "/" + key, value, 0644});
  }
  ContextPathSet paths;
  for (const ContextFile& f : cls.files) {
    Result<std::string> normalized = NormalizeContextPath(f.path);
    if (!normalized.ok()) return bad(normalized.status().message());
    if (*normalized != f.path) return bad("context file path '" + f.path + "' is not normalized");
    if (Status s = paths.Add(f.path); !s.ok()) return bad(s.message());
    if (f.mode < 0 || f.mode > 0777)
      return bad("context file '" + f.path + "' has a mode outside 0000..0777");
    entries.push_back({std::string(kContextDir) + "/" + f.path, f.content, f.mode});
  }
  if (opts.cloud_init_seed) {
    Result<std::string> meta_data = RenderNoCloudMetaData(opts.instance_id, opts.hostname);
    if (!meta_data.ok()) return bad(meta_data.status().message());
    entries.push_back({"meta-data", *meta_data, 0644});
    entries.push_back({"user-data", NoCloudUserData(opts.cloud_init), 0644});
    entries.push_back({"network-config", NoCloudNetworkConfig(opts.cloud_init), 0644});
  }
  std::sort(entries.begin(), entries.end(),
            [](const LayerEntry& a, const LayerEntry& b) { return a.path < b.path; });
  return entries;
}

}  // namespace tern::context
