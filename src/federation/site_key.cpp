#include "federation/site_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "federation/sodium_init.h"

namespace tern::federation {

namespace {

std::string Errno() {
  return std::strerror(errno);
}

// Closes a descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status WriteAll(int fd, const uint8_t* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(Errno());
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Creates `path` with a fresh seed without ever exposing a partial or world-readable file: the seed is
// written to a 0600 temporary file which is then hard-linked to `path` (link fails if another process won the
// race).
Status CreateKeyFile(const std::string& path) {
  TERN_RETURN_IF_ERROR(EnsureSodium());
  std::string tmpl = path + ".new-XXXXXX";
  const mode_t old_umask = ::umask(077);
  const int fd = ::mkstemp(tmpl.data());
  ::umask(old_umask);
  if (fd < 0) return Status::IoError("site key file '" + path + "': cannot create a new key: " + Errno());
  FdCloser closer{fd};
  std::array<uint8_t, kSeedSize> seed{};
  randombytes_buf(seed.data(), seed.size());
  Status written = WriteAll(fd, seed.data(), seed.size());
  sodium_memzero(seed.data(), seed.size());
  if (written.ok() && (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0)) written = Status::IoError(Errno());
  if (!written.ok()) {
    ::unlink(tmpl.c_str());
    return Status::IoError("site key file '" + path + "': cannot write the new key: " + written.message());
  }
  const int linked = ::link(tmpl.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmpl.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    return Status::IoError("site key file '" + path + "': cannot create: " + std::strerror(link_errno));
  }
  return Status::Ok();
}

}  // namespace

SiteKey::Secret::~Secret() {
  sodium_memzero(bytes.data(), bytes.size());
}

Result<SiteKey> SiteKey::FromSeed(std::span<const uint8_t> seed) {
  TERN_RETURN_IF_ERROR(EnsureSodium());
  if (seed.size() != kSeedSize) {
    return Status::InvalidArgument("site key: a seed is 32 bytes, got " + std::to_string(seed.size()));
  }
  SiteKey key;
  key.secret_ = std::make_unique<Secret>();
  if (crypto_sign_seed_keypair(key.public_key_.data(), key.secret_->bytes.data(), seed.data()) != 0) {
    return Status::Internal("site key: libsodium could not derive a key pair from the seed");
  }
  return key;
}

Result<SiteKey> SiteKey::Load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("site key file '" + path + "' does not exist");
    if (errno == ELOOP) return Status::PermissionDenied("site key file '" + path + "' is a symbolic link");
    return Status::IoError("site key file '" + path + "': cannot open: " + Errno());
  }
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IoError("site key file '" + path + "': cannot stat: " + Errno());
  if (!S_ISREG(st.st_mode)) {
    return Status::PermissionDenied("site key file '" + path + "' is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("site key file '" + path + "' has mode " + OctalMode(st.st_mode) +
                                    ", which lets group or others access the secret key; it must be 0600 "
                                    "(chmod 600 '" +
                                    path + "')");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::PermissionDenied("site key file '" + path + "' is owned by uid " +
                                    std::to_string(st.st_uid) + ", not by this process (uid " +
                                    std::to_string(::geteuid()) + ")");
  }
  if (st.st_size != static_cast<off_t>(kSeedSize)) {
    return Status::InvalidArgument("site key file '" + path + "' is " + std::to_string(st.st_size) +
                                   " bytes; an Ed25519 site key file holds exactly 32 bytes");
  }
  std::array<uint8_t, kSeedSize> seed{};
  size_t got = 0;
  while (got < seed.size()) {
    const ssize_t n = ::read(fd, seed.data() + got, seed.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      sodium_memzero(seed.data(), seed.size());
      return Status::IoError("site key file '" + path + "': short read");
    }
    got += static_cast<size_t>(n);
  }
  auto key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Result<SiteKey> SiteKey::LoadOrCreate(const std::string& path) {
  auto loaded = Load(path);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  TERN_RETURN_IF_ERROR(CreateKeyFile(path));
  return Load(path);
}

Signature SiteKey::Sign(std::span<const uint8_t> message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_->bytes.data());
  return sig;
}

}  // namespace tern::federation
