// File transfer over a secure channel: the sender walks the file's data extents (SEEK_DATA/SEEK_HOLE), sends
// holes as lengths and data as batches (all-zero batches cost a few bytes); the receiver writes to a partial
// file, leaves holes and zero batches unwritten (the copy stays sparse), syncs, renames it into place, and
// answers with a result frame — so the sender knows the file arrived whole. A failure on either side removes
// the partial file and is reported to the other side with its reason.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "transfer/secure_channel.h"
#include "transfer/stream_codec.h"

namespace tern::transfer {

struct FileTransferResult {
  uint64_t size = 0;                 // file size
  uint64_t data_bytes = 0;           // bytes sent as batches (the rest were holes)
  uint64_t wire_bytes = 0;           // channel bytes sent + received
  std::string message;               // the receiver's result message
  StreamStats stats;                 // the data direction
  double link_bytes_per_second = 0;  // the sender's final link estimate
};

// Sends `path` and waits for the receiver's verdict.
Result<FileTransferResult> SendFile(SecureChannel& channel, const std::string& path, bool compress = true,
                                    size_t batch_size = 1 << 20);
// Receives a file into `path` and sends the verdict.
Result<FileTransferResult> ReceiveFile(SecureChannel& channel, const std::string& path);

}  // namespace tern::transfer
