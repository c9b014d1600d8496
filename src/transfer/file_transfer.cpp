#include "transfer/file_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::transfer {

namespace {

std::string Errno() {
  return std::strerror(errno);
}

// Reports a failure to the peer (abort frame) and returns it. `peer_reason` is what the other site learns:
// local paths and errors stay local (the other site learns nothing about this site's hosts and disks).
Status Abort(SecureChannel& channel, const Status& why, std::string_view peer_reason = "") {
  std::vector<uint8_t> frame;
  AppendAbort(frame, peer_reason.empty() ? why.message() : peer_reason);
  (void)channel.Send(frame, true);
  return why;
}

constexpr std::string_view kCannotRead = "the sending site cannot read the file";
constexpr std::string_view kCannotStore = "the receiving site cannot store the file";

Status PreadAll(int fd, uint8_t* buf, size_t len, off_t offset) {
  size_t got = 0;
  while (got < len) {
    const ssize_t n = ::pread(fd, buf + got, len - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(n == 0 ? std::string("file shrank while being sent") : Errno());
    got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PwriteAll(int fd, const uint8_t* buf, size_t len, off_t offset) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pwrite(fd, buf + done, len - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(Errno());
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Writes `data` at `offset` leaving whole zero pages unwritten, so they stay holes in the new file.
Status WriteSparse(int fd, std::span<const uint8_t> data, uint64_t offset) {
  size_t run_start = 0;
  size_t i = 0;
  const auto flush = [&](size_t end) -> Status {
    if (end > run_start) {
      TERN_RETURN_IF_ERROR(
          PwriteAll(fd, data.data() + run_start, end - run_start, static_cast<off_t>(offset + run_start)));
    }
    return Status::Ok();
  };
  for (; i + kPageSize <= data.size(); i += kPageSize) {
    if (IsAllZero(data.subspan(i, kPageSize))) {
      TERN_RETURN_IF_ERROR(flush(i));
      run_start = i + kPageSize;
    }
  }
  return flush(data.size());
}

// Waits for the peer's final frame on the answer direction.
Result<std::string> AwaitResult(SecureChannel& channel) {
  InboundStream in(InboundStream::Mode::kResult);
  std::vector<uint8_t> plain;
  TERN_ASSIGN_OR_RETURN(const auto rec, channel.Receive(plain));
  if (!rec.has_value()) return in.OnTransportEnd();
  TERN_ASSIGN_OR_RETURN(const InboundEvent ev, in.OnRecord(plain, *rec));
  if (ev.kind == InboundEvent::Kind::kAbort) return Status::Unavailable("the receiver aborted: " + ev.text);
  if (!ev.ok) return Status::Unavailable("the receiver refused the file: " + ev.text);
  return ev.text;
}

// The receiver spoke before the end of the file: it gave up (or broke the protocol). Always an error.
Status ReceiverStopped(SecureChannel& channel) {
  auto r = AwaitResult(channel);
  if (!r.ok()) return r.status();
  return Status::Unavailable("the receiver answered before the end of the file: " + *r);
}

}  // namespace

Result<FileTransferResult> SendFile(SecureChannel& channel, const std::string& path, bool compress,
                                    size_t batch_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Abort(channel, Status::IoError("cannot open '" + path + "': " + Errno()), kCannotRead);
  net::UniqueFd file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Abort(channel, Status::InvalidArgument("'" + path + "' is not a regular file"), kCannotRead);
  }
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  const auto size = static_cast<uint64_t>(st.st_size);
  OutboundStream out(compress);
  std::vector<uint8_t> frame;
  AppendFileBegin(frame, size);
  TERN_RETURN_IF_ERROR(channel.Send(frame, false));
  std::vector<uint8_t> buf(std::min(batch_size, kMaxBatchSize));
  uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0) {
      if (errno != ENXIO) {
        return Abort(channel, Status::IoError("'" + path + "': SEEK_DATA: " + Errno()), kCannotRead);
      }
      data = static_cast<off_t>(size);  // only a hole remains
    }
    if (static_cast<uint64_t>(data) > pos) {
      frame.clear();
      out.AppendHole(static_cast<uint64_t>(data) - pos, frame);
      TERN_RETURN_IF_ERROR(channel.Send(frame, false));
      pos = static_cast<uint64_t>(data);
      if (pos >= size) break;
    }
    off_t hole = ::lseek(fd, static_cast<off_t>(pos), SEEK_HOLE);
    if (hole < 0) hole = static_cast<off_t>(size);
    const uint64_t extent_end = std::min<uint64_t>(static_cast<uint64_t>(hole), size);
    while (pos < extent_end) {
      const size_t len = static_cast<size_t>(std::min<uint64_t>(buf.size(), extent_end - pos));
      if (Status s = PreadAll(fd, buf.data(), len, static_cast<off_t>(pos)); !s.ok()) {
        return Abort(channel, s.WithContext("reading '" + path + "'"), kCannotRead);
      }
      // The receiver says nothing until the end unless it gives up: then stop at once, with its reason.
      if (channel.HasIncoming()) return ReceiverStopped(channel);
      frame.clear();
      out.AppendBatch(std::span(buf).first(len), frame);
      // Right before the send (after reading and compressing): see LinkMeter.
      const LinkSample link = channel.SampleLink();
      if (link.valid) out.AddLinkSample(link.delivery_bytes_per_second, link.app_limited);
      if (Status s = channel.Send(frame, false); !s.ok()) {
        return channel.HasIncoming() ? ReceiverStopped(channel) : s;
      }
      pos += len;
    }
  }
  frame.clear();
  out.AppendEnd(frame);
  TERN_RETURN_IF_ERROR(channel.Send(frame, true));
  TERN_ASSIGN_OR_RETURN(std::string message, AwaitResult(channel));
  FileTransferResult r;
  r.size = size;
  r.data_bytes = out.stats().raw_bytes;
  r.wire_bytes = channel.wire_sent() + channel.wire_received();
  r.message = std::move(message);
  r.stats = out.stats();
  r.link_bytes_per_second = out.link_bytes_per_second();
  return r;
}

Result<FileTransferResult> ReceiveFile(SecureChannel& channel, const std::string& path) {
  const std::string partial = path + ".partial";
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Abort(channel, Status::IoError("cannot create '" + partial + "': " + Errno()), kCannotStore);
  net::UniqueFd file(fd);
  // Stream errors concern the peer's data and are sent as they are; local I/O errors are not.
  const auto fail = [&](const Status& why, bool tell_peer, std::string_view peer_reason = "") -> Status {
    ::unlink(partial.c_str());
    return tell_peer ? Abort(channel, why, peer_reason) : why;
  };
  InboundStream in(InboundStream::Mode::kFile);
  std::vector<uint8_t> plain;
  uint64_t pos = 0;
  uint64_t size = 0;
  while (true) {
    auto rec = channel.Receive(plain);
    if (!rec.ok()) return fail(rec.status(), false);
    if (!rec->has_value()) return fail(in.OnTransportEnd(), false);
    auto ev = in.OnRecord(plain, **rec);
    if (!ev.ok()) return fail(ev.status(), true);
    if (ev->kind == InboundEvent::Kind::kAbort)
      return fail(Status::Unavailable("the sender aborted: " + ev->text), false);
    if (ev->kind == InboundEvent::Kind::kFileBegin) {
      size = ev->length;
      continue;
    }
    if (ev->kind == InboundEvent::Kind::kHole) {
      pos += ev->length;
      continue;
    }
    if (ev->kind == InboundEvent::Kind::kEnd) break;
    // Zero pages stay holes: the file is extended to its full size at the end.
    if (Status s = WriteSparse(fd, ev->data, pos); !s.ok()) {
      return fail(s.WithContext("writing '" + partial + "'"), true);
    }
    pos += ev->data.size();
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0 || ::fsync(fd) != 0) {
    return fail(Status::IoError("finishing '" + partial + "': " + Errno()), true, kCannotStore);
  }
  if (::rename(partial.c_str(), path.c_str()) != 0) {
    return fail(Status::IoError("cannot rename '" + partial + "' to '" + path + "': " + Errno()), true,
                kCannotStore);
  }
  FileTransferResult r;
  r.size = size;
  r.data_bytes = in.stats().raw_bytes;
  r.stats = in.stats();
  r.message = "stored " + std::to_string(size) + " bytes (" + std::to_string(r.data_bytes) + " as data, " +
              std::to_string(in.stats().hole_bytes) + " as holes)";
  std::vector<uint8_t> frame;
  AppendResult(frame, true, r.message);
  if (Status s = channel.Send(frame, true); !s.ok()) {
    // The file is complete and in place; only the answer was lost.
    return s.WithContext("file '" + path + "' stored, but the result could not be sent");
  }
  r.wire_bytes = channel.wire_sent() + channel.wire_received();
  return r;
}

}  // namespace tern::transfer
