#include "filled_guest.h"

#include "core/files.h"
#include "sim_hosts.h"

namespace tern::testing {
namespace {

// Runs before the test guest's /init: loads the drivers (the list /init uses), copies the CD-ROM into RAM.
std::string FillInit(int mib) {
  return R"sh(#!/bin/sh
# /fill-init of tests/support/filled_guest.cpp: fills RAM from the first CD-ROM, then runs the test guest's /init.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
while read -r mod opts; do
  [ -n "$mod" ] && [ ! -d "/sys/module/$mod" ] && insmod "/lib/modules/$mod.ko" $opts 2>/dev/null
done </etc/tern/modules
mkdir -p /fill
mount -t tmpfs -o size=)sh" +
         std::to_string(mib + 8) + R"sh(m fill /fill
n=0
while [ ! -b /dev/sr0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
# O_DIRECT: through the page cache the data would sit in RAM twice (freed page-cache pages keep their bytes).
dd if=/dev/sr0 of=/fill/data bs=1M iflag=direct 2>/dev/null || dd if=/dev/sr0 of=/fill/data bs=1M 2>/dev/null
echo "TERN:FILLED bytes=$(wc -c </fill/data)" >/dev/console
umount /proc
exec /init
)sh";
}

}  // namespace

Result<FilledGuestFiles> MakeFilledGuest(const std::string& dir, const std::string& guest_initrd,
                                         int random_mib, int text_mib) {
  if (random_mib < 0 || text_mib < 0 || random_mib + text_mib == 0)
    return Status::InvalidArgument("MakeFilledGuest: nothing to fill (random " + std::to_string(random_mib) +
                                   " MiB, text " + std::to_string(text_mib) + " MiB)");
  if (!FileExists(guest_initrd))
    return Status::NotFound("MakeFilledGuest: no test guest initrd " + guest_initrd);
  FilledGuestFiles out;
  out.data_iso = dir + "/fill-data.img";
  out.initrd = dir + "/initrd-fill.img";
  const std::string root = dir + "/fill-root";
  TERN_RETURN_IF_ERROR(MakeDirs(root));
  TERN_RETURN_IF_ERROR(WriteFileAtomic(root + "/fill-init", FillInit(random_mib + text_mib)));
  // Text: the C headers in a fixed order, repeated if there are fewer than asked for.
  const std::string data =
      "set -e; (head -c " + std::to_string(random_mib) + "M /dev/urandom; " +
      "while :; do find /usr/include -type f -name '*.h' | LC_ALL=C sort | xargs cat || exit 0; done " +
      "2>/dev/null | head -c " + std::to_string(text_mib) + "M) > " + ShellQuote(out.data_iso);
  TERN_RETURN_IF_ERROR(RunCommand("bash -c " + ShellQuote(data)).status());
  const std::string cpio =
      "set -e; cd " + ShellQuote(root) +
      " && chmod 755 fill-init && echo fill-init | cpio -o -H newc -R 0:0 --quiet | gzip -1 > "
      "../fill.cpio.gz && cat " +
      ShellQuote(guest_initrd) + " ../fill.cpio.gz > " + ShellQuote(out.initrd);
  TERN_RETURN_IF_ERROR(RunCommand("bash -c " + ShellQuote(cpio)).status());
  return out;
}

}  // namespace tern::testing
