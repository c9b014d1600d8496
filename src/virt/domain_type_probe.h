// Chooses the libvirt domain type of a host: "kvm" only where a guest really boots under KVM, else "qemu"
// (TCG).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"

namespace tern::virt {

struct ProbeInput {
  bool dev_kvm_present = false;
  std::optional<bool> kvm_guest_booted;  // nullopt: no probe guest configured
  std::string configured;                // "auto" | "kvm" | "qemu"
};

struct ProbeDecision {
  std::string domain_type;  // "kvm" | "qemu"
  std::string reason;
};

// Pure: configured kvm/qemu wins; auto: no /dev/kvm -> qemu; probe guest booted -> kvm; did not boot -> qemu;
// nullopt -> qemu, saying that no probe guest was configured so KVM could not be verified.
ProbeDecision DecideDomainType(const ProbeInput& input);

// Runs `qemu-system-x86_64 -accel kvm -cpu host -machine pc -m 128 -nographic -no-reboot -kernel K -initrd I
// -append 'console=ttyS0 panic=-1 tern.probe=1'` for at most `timeout` and returns true iff its serial output
// contains "TERN:PROBE-OK". Errors only when the probe cannot be run at all (missing files, no QEMU).
Result<bool> ProbeKvmBoots(const std::string& kernel, const std::string& initrd,
                           std::chrono::seconds timeout = std::chrono::seconds(20));

// I/O wrapper: validates `configured`, looks at /dev/kvm, runs the probe when it matters (auto, /dev/kvm
// present, probe kernel given) and decides.
Result<ProbeDecision> ChooseDomainType(const std::string& configured, const std::string& probe_kernel,
                                       const std::string& probe_initrd);

}  // namespace tern::virt
