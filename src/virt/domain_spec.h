// DomainSpec: what tern asks the hypervisor to run (devices, boot, metadata), independent of libvirt's XML.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace tern::virt {

struct CdromSpec {
  std::string target_dev;  // e.g. "sda" (scsi) or "hdc" (ide)
  std::string bus = "scsi";
  std::string source;  // ISO path; empty = empty tray
};

struct DiskSpec {
  std::string path;
  std::string format = "qcow2";
  std::string target_dev = "vda";
  std::string bus = "virtio";
};

// type network | user | udp (QEMU socket netdev: one Ethernet frame per UDP datagram)
struct NicSpec {
  std::string type = "network";
  std::string network = "default";
  std::string mac;  // empty: libvirt picks one
  std::string model = "virtio";
  int local_port = 0;
  int remote_port = 0;
  std::string remote_address = "127.0.0.1";
  std::string local_address = "127.0.0.1";
};

struct DomainSpec {
  std::string name;
  std::string uuid;                  // optional; libvirt generates one when empty
  std::string domain_type = "qemu";  // kvm | qemu — chosen by the caller from the probe
  std::string machine = "pc";
  int memory_mib = 256;
  int vcpus = 1;
  std::string kernel, initrd, cmdline;  // direct kernel boot when kernel is set
  std::vector<DiskSpec> disks;
  std::vector<CdromSpec> cdroms;
  std::vector<NicSpec> nics;
  // When set: <serial type='file'><source path=... append='on'/> + <console> on it (append so that a migrated
  // guest keeps writing to the same log).
  std::string serial_log;
  // Stored under <metadata><tern:vm xmlns:tern="https://tern.invalid/xmlns/vm/1"> as
  // <tern:KEY>VALUE</tern:KEY>.
  std::map<std::string, std::string> metadata;
};

// XML namespace of tern's domain metadata.
inline constexpr char kTernMetadataNamespace[] = "https://tern.invalid/xmlns/vm/1";

// Checks what libvirt would reject late or render wrongly: empty name, unknown domain type / bus / NIC type,
// IDE CD-ROMs on a machine without IDE (q35), UDP NICs without ports, metadata keys that are not XML names.
// InvalidArgument naming the domain and the offending field.
Status ValidateDomainSpec(const DomainSpec& spec);

}  // namespace tern::virt
