// FilledGuest: makes the test guest (scripts/build-test-guest) start with a chosen amount of its RAM holding
// random bytes and text, so that a migration has realistic memory to move (an idle test guest touches little
// RAM). For migration measurements (cross_site_relay_test, bench/migration).
#pragma once

#include <string>

#include "core/result.h"

namespace tern::testing {

struct FilledGuestFiles {
  std::string initrd;    // the test guest's initrd plus /fill-init; boot with cmdline kFillCmdline
  std::string data_iso;  // the bytes to load (random first, then text), attach as the first SCSI CD-ROM
};

// Appended to the guest's kernel command line: /fill-init copies the first CD-ROM (/dev/sr0) into a tmpfs,
// prints "TERN:FILLED bytes=N", then runs the test guest's /init (which prints TERN:READY as usual).
inline constexpr const char* kFillCmdline = "rdinit=/fill-init";

// Writes into `dir`: the data image (random_mib of /dev/urandom, then text_mib of C headers from
// /usr/include, which compress about 5:1 with zstd) and the initrd (`guest_initrd` + a cpio with /fill-init).
// The guest needs RAM for the data plus about 100 MiB. Needs cpio and gzip.
Result<FilledGuestFiles> MakeFilledGuest(const std::string& dir, const std::string& guest_initrd,
                                         int random_mib, int text_mib);

}  // namespace tern::testing
