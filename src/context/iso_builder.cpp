#include "context/iso_builder.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "context/iso_handles.h"
#include "core/files.h"

namespace tern::context {
namespace {

constexpr int kDirMode = 0755;
// vol_uuid of iso_write_opts_set_pvd_times: YYYYMMDDhhmmsscc, the same instant as kLayerIsoTimestamp.
constexpr const char* kVolumeUuid = "2000010100000000";

void SetFixedAttributes(IsoNode* node, int mode) {
  iso_node_set_permissions(node, static_cast<mode_t>(mode));
  iso_node_set_uid(node, 0);
  iso_node_set_gid(node, 0);
  iso_node_set_mtime(node, kLayerIsoTimestamp);
  iso_node_set_atime(node, kLayerIsoTimestamp);
  iso_node_set_ctime(node, kLayerIsoTimestamp);
}

IsoNode* AsNode(IsoDir* dir) {
  return reinterpret_cast<IsoNode*>(dir);
}
IsoNode* AsNode(IsoFile* file) {
  return reinterpret_cast<IsoNode*>(file);
}

// Creates (or finds) the directory `path` ("" is the root) and its parents.
Result<IsoDir*> EnsureDir(IsoImage* image, std::map<std::string, IsoDir*>& dirs, const std::string& path) {
  if (const auto it = dirs.find(path); it != dirs.end()) return it->second;
  const size_t slash = path.rfind('/');
  const std::string parent_path = slash == std::string::npos ? "" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  TERN_ASSIGN_OR_RETURN(IsoDir * parent, EnsureDir(image, dirs, parent_path));
  IsoDir* dir = nullptr;
  const int rc = iso_image_add_new_dir(image, parent, name.c_str(), &dir);
  if (rc < 0) return iso::Error("add directory '" + path + "'", rc);
  SetFixedAttributes(AsNode(dir), kDirMode);
  dirs.emplace(path, dir);
  return dir;
}

Status AddFile(IsoImage* image, std::map<std::string, IsoDir*>& dirs, const LayerEntry& entry) {
  const size_t slash = entry.path.rfind('/');
  TERN_ASSIGN_OR_RETURN(
      IsoDir * parent, EnsureDir(image, dirs, slash == std::string::npos ? "" : entry.path.substr(0, slash)));
  const std::string name = slash == std::string::npos ? entry.path : entry.path.substr(slash + 1);
  // The memory stream takes ownership of a malloc'ed buffer and free()s it.
  auto* buf = static_cast<unsigned char*>(std::malloc(std::max<size_t>(entry.content.size(), 1)));
  if (buf == nullptr) return Status::Internal("out of memory for '" + entry.path + "'");
  if (!entry.content.empty()) std::memcpy(buf, entry.content.data(), entry.content.size());
  IsoStream* raw_stream = nullptr;
  int rc = iso_memory_stream_new(buf, entry.content.size(), &raw_stream);
  if (rc < 0) {
    std::free(buf);
    return iso::Error("memory stream for '" + entry.path + "'", rc);
  }
  iso::StreamPtr stream(raw_stream);
  IsoFile* file = nullptr;
  rc = iso_image_add_new_file(image, parent, name.c_str(), stream.get(), &file);
  if (rc < 0) return iso::Error("add file '" + entry.path + "'", rc);
  (void)stream.release();  // the file node holds the reference now
  SetFixedAttributes(AsNode(file), entry.mode);
  return Status::Ok();
}

Result<iso::WriteOptsPtr> MakeWriteOpts() {
  IsoWriteOpts* raw = nullptr;
  const int rc = iso_write_opts_new(&raw, 0);
  if (rc < 0) return iso::Error("iso_write_opts_new", rc);
  iso::WriteOptsPtr opts(raw);
  char utf8[] = "UTF-8";
  char uuid[17];
  std::memcpy(uuid, kVolumeUuid, sizeof uuid);
  const int results[] = {
      iso_write_opts_set_iso_level(raw, 3),
      iso_write_opts_set_rockridge(raw, 1),
      // RRIP 1.10 (ER "RRIP_1991A", as genisoimage writes) has no inode numbers in PX; libisofs numbers nodes
      // in an order that varies between runs, which would make builds differ.
      iso_write_opts_set_rrip_version_1_10(raw, 1),
      iso_write_opts_set_rrip_1_10_px_ino(raw, 0),
      iso_write_opts_set_joliet(raw, 1),
      iso_write_opts_set_joliet_long_names(raw, 1),
      iso_write_opts_set_joliet_longer_paths(raw, 1),
      iso_write_opts_set_allow_deep_paths(raw, 1),
      iso_write_opts_set_allow_longer_paths(raw, 1),
      iso_write_opts_set_relaxed_vol_atts(raw, 1),  // keeps the label's case: "cidata"
      iso_write_opts_set_output_charset(raw, utf8),
      iso_write_opts_set_hardlinks(raw, 0),
      iso_write_opts_set_aaip(raw, 0),
      iso_write_opts_set_record_md5(raw, 0, 0),
      iso_write_opts_set_replace_mode(raw, 0, 0, 2, 2),
      iso_write_opts_set_default_uid(raw, 0),
      iso_write_opts_set_default_gid(raw, 0),
      iso_write_opts_set_replace_timestamps(raw, 2),
      iso_write_opts_set_default_timestamp(raw, kLayerIsoTimestamp),
      iso_write_opts_set_dir_rec_mtime(raw, 7),
      iso_write_opts_set_always_gmt(raw, 1),
      iso_write_opts_set_pvd_times(raw, kLayerIsoTimestamp, kLayerIsoTimestamp, 0, 0, uuid),
  };
  for (const int r : results) {
    if (r < 0) return iso::Error("write options", r);
  }
  return opts;
}

Result<std::string> WriteImage(IsoImage* image, IsoWriteOpts* opts) {
  burn_source* raw = nullptr;
  const int rc = iso_image_create_burn_source(image, opts, &raw);
  if (rc < 0) return iso::Error("iso_image_create_burn_source", rc);
  iso::BurnSourcePtr source(raw);
  std::string bytes;
  if (const off_t size = source->get_size(source.get()); size > 0) bytes.reserve(static_cast<size_t>(size));
  unsigned char block[2048];
  while (true) {
    const int n = source->read != nullptr ? source->read(source.get(), block, sizeof block)
                                          : source->read_xt(source.get(), block, sizeof block);
    if (n < 0) return Status::Internal("libisofs: writing the image failed");
    if (n == 0) break;
    bytes.append(reinterpret_cast<const char*>(block), static_cast<size_t>(n));
  }
  return bytes;
}

}  // namespace

std::string LayerVolumeLabel(const std::string& class_name, bool cloud_init_seed) {
  if (cloud_init_seed) return "cidata";
  std::string label = "TERN_";
  for (const char c : class_name) {
    const char up = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    label += ((up >= 'A' && up <= 'Z') || (up >= '0' && up <= '9') || up == '_') ? up : '_';
  }
  return label.substr(0, 32);
}

namespace {
std::string VolumeSetId(const LayerMetadata& meta, const std::vector<LayerEntry>& entries) {
  uint64_t h = 14695981039346656037ULL;
  for (const LayerEntry& e : entries) {
    for (const std::string* part : {&e.path, &e.content}) {
      for (unsigned char c : *part) {
        h ^= c;
        h *= 1099511628211ULL;
      }
      h ^= 0xff;
      h *= 1099511628211ULL;
    }
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), "TERN G%llu %016llx", static_cast<unsigned long long>(meta.generation),
                static_cast<unsigned long long>(h));
  return buf;
}
}  // namespace

Result<std::string> BuildLayerIso(const ContextClass& cls, const LayerMetadata& meta,
                                  const IsoOptions& opts) {
  TERN_ASSIGN_OR_RETURN(std::vector<LayerEntry> entries, RenderLayerTree(cls, meta, opts));
  TERN_RETURN_IF_ERROR(iso::EnsureInitialized());
  const std::string label = LayerVolumeLabel(cls.name, opts.cloud_init_seed);
  IsoImage* raw = nullptr;
  const int rc = iso_image_new(label.c_str(), &raw);
  if (rc < 0) return iso::Error("iso_image_new", rc);
  iso::ImagePtr image(raw);
  iso_image_set_volume_id(raw, label.c_str());
  iso_image_set_publisher_id(raw, "");
  iso_image_set_data_preparer_id(raw, "");
  iso_image_set_system_id(raw, "LINUX");
  iso_image_set_application_id(raw, "TERN");
  // The primary volume descriptor is what a guest compares to notice new media (docs/test-guest.md): with
  // fixed timestamps two generations of a layer would otherwise share it, so it names the generation and a
  // content hash.
  iso_image_set_volset_id(raw, VolumeSetId(meta, entries).c_str());
  IsoDir* root = iso_image_get_root(raw);
  SetFixedAttributes(AsNode(root), kDirMode);
  std::map<std::string, IsoDir*> dirs{{"", root}};
  for (const LayerEntry& entry : entries) TERN_RETURN_IF_ERROR(AddFile(raw, dirs, entry));
  TERN_ASSIGN_OR_RETURN(iso::WriteOptsPtr write_opts, MakeWriteOpts());
  return WriteImage(raw, write_opts.get());
}

Status WriteLayerIso(const ContextClass& cls, const LayerMetadata& meta, const IsoOptions& opts,
                     const std::string& out_path) {
  TERN_ASSIGN_OR_RETURN(std::string bytes, BuildLayerIso(cls, meta, opts));
  return WriteFileAtomic(out_path, bytes);
}

}  // namespace tern::context
