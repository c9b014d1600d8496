// The files a domain's XML refers to (disk images, the serial log), and rewriting them for a migration's
// destination host. Pure string work on libvirt's XML, unit-tested without libvirt.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tern::daemon {

struct DomainDisk {
  std::string path;
  std::string format;  // driver type: qcow2 | raw
};

// <disk type='file' device='disk'> elements with their source file and driver type (CD-ROMs are not disks).
std::vector<DomainDisk> ListFileDisks(const std::string& domain_xml);
// The file of a <serial type='file'>, or "".
std::string SerialLogPath(const std::string& domain_xml);
// Replaces every attribute value equal to a key of `paths` ('...' or "...") by its mapped value.
std::string RewritePaths(const std::string& domain_xml, const std::map<std::string, std::string>& paths);

}  // namespace tern::daemon
