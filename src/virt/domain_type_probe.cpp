#include "virt/domain_type_probe.h"

namespace tern::virt {

ProbeDecision DecideDomainType(const ProbeInput& input) {
  if (input.configured == "kvm") return {"kvm", "configured domain type kvm"};
  if (input.configured == "qemu") return {"qemu", "configured domain type qemu (TCG)"};
  std::string prefix;
  if (input.configured != "auto" && !input.configured.empty())
    prefix = "configured domain type '" + input.configured + "' is not auto|kvm|qemu, treated as auto; ";
  if (!input.dev_kvm_present) return {"qemu", prefix + "/dev/kvm is absent, guests run under TCG"};
  if (!input.kvm_guest_booted.has_value())
    return {"qemu",
            prefix +
                "/dev/kvm is present but no probe guest was configured, so KVM could not be verified; "
                "using TCG"};
  if (*input.kvm_guest_booted) return {"kvm", prefix + "the probe guest booted under KVM"};
  return {"qemu", prefix + "/dev/kvm is present but the probe guest did not boot under KVM; using TCG"};
}

}  // namespace tern::virt
