// Plain data types of the context module: the VM descriptor and context classes a manifest describes.
// Parsers (manifest.h, class_parser.h) fill them; the ISO builder (iso_builder.h) renders a class into an
// image.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tern::context {

struct DiskSpec {
  std::string path;              // absolute after parsing
  std::string format = "qcow2";  // qcow2 | raw
  std::string bus = "virtio";    // virtio | scsi | sata | ide
};

struct NicSpec {
  std::string type = "network";     // network | user | udp | tern
  std::string network = "default";  // type network: the libvirt network's name; type tern: the tern network
  std::string mac;                  // empty: libvirt assigns one
  std::string model = "virtio";
  // type udp (a QEMU UDP socket netdev, e.g. towards tern-switch); 0 = assigned by tern at deploy time.
  int local_port = 0;
  int remote_port = 0;
  std::string remote_address = "127.0.0.1";
};

// Direct kernel boot (optional); paths absolute after parsing.
struct BootSpec {
  std::string kernel;
  std::string initrd;  // empty: none
  std::string cmdline;
};

struct VmDescriptor {
  std::string name;
  int memory_mib = 0;
  int vcpus = 1;
  std::optional<BootSpec> boot;
  std::vector<DiskSpec> disks;
  std::vector<NicSpec> nics;
  std::string cdrom_bus = "scsi";  // scsi | ide
};

// One file of a context layer. `path` is inside the layer's `context/` tree: relative, normalized, no "..".
struct ContextFile {
  std::string path;
  std::string content;
  int mode = 0644;
};

// A named source of context with a priority; where two layers hold the same path, the higher priority wins.
struct ContextClass {
  std::string name;
  int priority = 0;
  std::map<std::string, std::string> values;  // key -> value, rendered as context/values/<key>
  std::vector<ContextFile> files;
};

// cloud-init NoCloud data; only the service class carries it.
struct CloudInit {
  std::string user_data;       // empty: the default "#cloud-config\n{}\n"
  std::string network_config;  // empty: DHCP on every ethernet interface named e*
};

struct Manifest {
  std::string source;  // the file it came from (absolute path), or the source name given to ParseManifestText
  VmDescriptor vm;
  std::vector<ContextClass> classes;  // sorted by ascending priority
  CloudInit cloud_init;
};

}  // namespace tern::context
