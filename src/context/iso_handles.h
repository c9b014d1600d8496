// RAII owners of libisofs C handles and the one-time library initialization (internal to the context module).
#pragma once

// libisofs.h needs <cstdint> first, and declares struct burn_source only with LIBISOFS_WITHOUT_LIBBURN.
#include <sys/types.h>

#include <cstdint>
#ifndef LIBISOFS_WITHOUT_LIBBURN
#define LIBISOFS_WITHOUT_LIBBURN 1
#endif
#include <libisofs/libisofs.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace tern::context::iso {

struct ImageDeleter {
  void operator()(IsoImage* p) const { iso_image_unref(p); }
};
struct WriteOptsDeleter {
  void operator()(IsoWriteOpts* p) const { iso_write_opts_free(p); }
};
struct ReadOptsDeleter {
  void operator()(IsoReadOpts* p) const { iso_read_opts_free(p); }
};
struct FeaturesDeleter {
  void operator()(IsoReadImageFeatures* p) const { iso_read_image_features_destroy(p); }
};
struct DirIterDeleter {
  void operator()(IsoDirIter* p) const { iso_dir_iter_free(p); }
};
struct StreamDeleter {
  void operator()(IsoStream* p) const { iso_stream_unref(p); }
};
// A burn_source from iso_image_create_burn_source(): stops the writer thread if the image was not read to the
// end, joins it and frees the source.
struct BurnSourceDeleter {
  void operator()(burn_source* p) const;
};

using ImagePtr = std::unique_ptr<IsoImage, ImageDeleter>;
using WriteOptsPtr = std::unique_ptr<IsoWriteOpts, WriteOptsDeleter>;
using ReadOptsPtr = std::unique_ptr<IsoReadOpts, ReadOptsDeleter>;
using FeaturesPtr = std::unique_ptr<IsoReadImageFeatures, FeaturesDeleter>;
using DirIterPtr = std::unique_ptr<IsoDirIter, DirIterDeleter>;
using StreamPtr = std::unique_ptr<IsoStream, StreamDeleter>;
using BurnSourcePtr = std::unique_ptr<burn_source, BurnSourceDeleter>;

// iso_init once per process, with UTF-8 as the local character set (file names are UTF-8 on both sides); does
// not touch the process locale.
Status EnsureInitialized();

// "libisofs: <what>: <libisofs' text for code>" as an Internal status.
Status Error(const std::string& what, int code);

}  // namespace tern::context::iso
