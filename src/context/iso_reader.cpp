#include "context/iso_reader.h"

#include <algorithm>
#include <cstring>

#include "context/iso_handles.h"

namespace tern::context {
namespace {

constexpr size_t kBlock = 2048;

// An IsoDataSource over bytes in memory. libisofs takes and drops references; ours (the initial one) is never
// dropped, so libisofs never frees the struct, which lives on ReadIso's stack.
struct MemorySource {
  IsoDataSource src{};
  const std::string* bytes = nullptr;

  explicit MemorySource(const std::string& data) : bytes(&data) {
    src.version = 0;
    src.refcount = 1;
    src.open = [](IsoDataSource*) { return 1; };
    src.close = [](IsoDataSource*) { return 1; };
    src.read_block = &ReadBlock;
    src.free_data = [](IsoDataSource*) {};
    src.data = this;
  }

  static int ReadBlock(IsoDataSource* s, uint32_t lba, uint8_t* buffer) {
    const std::string& data = *static_cast<MemorySource*>(s->data)->bytes;
    const size_t offset = static_cast<size_t>(lba) * kBlock;
    if (buffer == nullptr || offset >= data.size()) return static_cast<int>(ISO_DATA_SOURCE_MISHAP);
    const size_t n = std::min(kBlock, data.size() - offset);
    std::memcpy(buffer, data.data() + offset, n);
    std::memset(buffer + n, 0, kBlock - n);
    return 1;
  }
};

Result<std::string> ReadStream(IsoStream* stream, const std::string& path) {
  int rc = iso_stream_open(stream);
  if (rc < 0) return iso::Error("open '" + path + "'", rc);
  std::string content;
  char buf[16384];
  while (true) {
    rc = iso_stream_read(stream, buf, sizeof buf);
    if (rc < 0) {
      iso_stream_close(stream);
      return iso::Error("read '" + path + "'", rc);
    }
    if (rc == 0) break;
    content.append(buf, static_cast<size_t>(rc));
  }
  iso_stream_close(stream);
  return content;
}

Status Walk(IsoDir* dir, const std::string& prefix, IsoContents& out) {
  IsoDirIter* raw = nullptr;
  const int rc = iso_dir_get_children(dir, &raw);
  if (rc < 0) return iso::Error("list '" + prefix + "'", rc);
  iso::DirIterPtr iter(raw);
  IsoNode* node = nullptr;
  while (iso_dir_iter_next(iter.get(), &node) == 1) {
    const std::string path = prefix + iso_node_get_name(node);
    out.modes[path] = static_cast<int>(iso_node_get_permissions(node) & 07777);
    out.root_owned = out.root_owned && iso_node_get_uid(node) == 0 && iso_node_get_gid(node) == 0;
    if (ISO_NODE_IS_DIR(node)) {
      TERN_RETURN_IF_ERROR(Walk(reinterpret_cast<IsoDir*>(node), path + "/", out));
    } else if (ISO_NODE_IS_FILE(node)) {
      TERN_ASSIGN_OR_RETURN(out.files[path],
                            ReadStream(iso_file_get_stream(reinterpret_cast<IsoFile*>(node)), path));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<IsoContents> ReadIso(const std::string& image_bytes, IsoTree tree) {
  if (image_bytes.size() < 17 * kBlock) {
    return Status::InvalidArgument("not an ISO 9660 image: only " + std::to_string(image_bytes.size()) +
                                   " bytes");
  }
  TERN_RETURN_IF_ERROR(iso::EnsureInitialized());
  MemorySource source(image_bytes);

  IsoReadOpts* raw_opts = nullptr;
  int rc = iso_read_opts_new(&raw_opts, 0);
  if (rc < 0) return iso::Error("iso_read_opts_new", rc);
  iso::ReadOptsPtr opts(raw_opts);
  char utf8[] = "UTF-8";
  iso_read_opts_set_input_charset(raw_opts, utf8);
  iso_read_opts_set_no_rockridge(raw_opts, tree == IsoTree::kRockRidge ? 0 : 1);
  iso_read_opts_set_no_joliet(raw_opts, tree == IsoTree::kJoliet ? 0 : 1);
  iso_read_opts_set_preferjoliet(raw_opts, tree == IsoTree::kJoliet ? 1 : 0);

  // Declared after `source`: the image (which may hold references to it) goes first.
  IsoImage* raw_image = nullptr;
  rc = iso_image_new("", &raw_image);
  if (rc < 0) return iso::Error("iso_image_new", rc);
  iso::ImagePtr image(raw_image);
  IsoReadImageFeatures* raw_features = nullptr;
  rc = iso_image_import(raw_image, &source.src, raw_opts, &raw_features);
  iso::FeaturesPtr features(raw_features);
  if (rc < 0) {
    const char* text = iso_error_to_msg(rc);
    return Status::InvalidArgument(std::string("not a readable ISO 9660 image: ") +
                                   (text ? text : "import failed"));
  }

  IsoContents out;
  const char* volume_id = iso_image_get_volume_id(raw_image);
  out.volume_id = volume_id != nullptr ? volume_id : "";
  out.rock_ridge = iso_read_image_features_has_rockridge(raw_features) != 0;
  out.joliet = iso_read_image_features_has_joliet(raw_features) != 0;
  TERN_RETURN_IF_ERROR(Walk(iso_image_get_root(raw_image), "", out));
  return out;
}

}  // namespace tern::context
