#include "recontext/layer_digest.h"

#include <cstdio>

#include "context/layer_tree.h"

namespace tern::recontext {

namespace {
void Mix(uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // A separator that cannot occur inside the lengths below keeps ("ab","c") apart from ("a","bc").
  h ^= 0xff;
  h *= 1099511628211ULL;
}
}  // namespace

Result<std::string> LayerDigest(const context::ContextClass& cls, const std::string& origin) {
  context::LayerMetadata meta{cls.name, cls.priority, 0, origin};
  TERN_ASSIGN_OR_RETURN(auto entries, context::RenderLayerTree(cls, meta, {}));
  uint64_t h = 14695981039346656037ULL;
  Mix(h, origin);
  for (const auto& e : entries) {
    Mix(h, e.path);
    Mix(h, std::to_string(e.mode));
    Mix(h, std::to_string(e.content.size()));
    Mix(h, e.content);
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf);
}

}  // namespace tern::recontext
