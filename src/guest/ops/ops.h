// The FUSE low-level operations of the union, one per file (mergerfs style); UnionOps() is the table.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "guest/union_fs.h"

namespace tern::guest::ops {

inline UnionFs& Fs(fuse_req_t req) {
  return *static_cast<UnionFs*>(fuse_req_userdata(req));
}

void Init(void* userdata, fuse_conn_info* conn);
void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets);
void Getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void Readlink(fuse_req_t req, fuse_ino_t ino);
void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void Readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void Statfs(fuse_req_t req, fuse_ino_t ino);
void Getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void Listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
// Every operation that would modify the tree replies EROFS (op_refuse.cpp).
void AddRefusals(fuse_lowlevel_ops& table);

const fuse_lowlevel_ops& UnionOps();

}  // namespace tern::guest::ops
