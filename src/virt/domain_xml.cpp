#include "virt/domain_xml.h"

#include <algorithm>
#include <string>

namespace tern::virt {
namespace {

// Attribute helper: name='escaped value'
std::string Attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "='" + XmlEscape(value) + "'";
}

void AppendCdrom(std::string& out, const CdromSpec& cdrom, std::string_view indent) {
  std::string i(indent);
  out += i + "<disk type='file' device='cdrom'>\n";
  out += i + "  <driver name='qemu' type='raw'/>\n";
  if (!cdrom.source.empty()) out += i + "  <source" + Attr("file", cdrom.source) + "/>\n";
  out += i + "  <target" + Attr("dev", cdrom.target_dev) + Attr("bus", cdrom.bus) + "/>\n";
  out += i + "  <readonly/>\n";
  out += i + "</disk>\n";
}

void AppendNic(std::string& out, const NicSpec& nic) {
  out += "    <interface" + Attr("type", nic.type) + ">\n";
  if (!nic.mac.empty()) out += "      <mac" + Attr("address", nic.mac) + "/>\n";
  if (nic.type == "network") {
    out += "      <source" + Attr("network", nic.network) + "/>\n";
  } else if (nic.type == "udp") {
    out += "      <source" + Attr("address", nic.remote_address) +
           Attr("port", std::to_string(nic.remote_port)) + ">\n";
    out += "        <local" + Attr("address", nic.local_address) +
           Attr("port", std::to_string(nic.local_port)) + "/>\n";
    out += "      </source>\n";
  }
  if (!nic.model.empty()) out += "      <model" + Attr("type", nic.model) + "/>\n";
  out += "    </interface>\n";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderCdromXml(const CdromSpec& cdrom) {
  std::string out;
  AppendCdrom(out, cdrom, "");
  return out;
}

std::string RenderDomainXml(const DomainSpec& spec) {
  std::string out;
  out += "<domain" + Attr("type", spec.domain_type) + ">\n";
  out += "  <name>" + XmlEscape(spec.name) + "</name>\n";
  if (!spec.uuid.empty()) out += "  <uuid>" + XmlEscape(spec.uuid) + "</uuid>\n";
  if (!spec.metadata.empty()) {
    out += "  <metadata>\n";
    out += "    <tern:vm xmlns:tern=\"" + XmlEscape(kTernMetadataNamespace) + "\">\n";
    for (const auto& [key, value] : spec.metadata) {
      std::string k = XmlEscape(key);
      out += "      <tern:" + k + ">" + XmlEscape(value) + "</tern:" + k + ">\n";
    }
    out += "    </tern:vm>\n";
    out += "  </metadata>\n";
  }
  out += "  <memory unit='MiB'>" + std::to_string(spec.memory_mib) + "</memory>\n";
  out += "  <currentMemory unit='MiB'>" + std::to_string(spec.memory_mib) + "</currentMemory>\n";
  out += "  <vcpu>" + std::to_string(spec.vcpus) + "</vcpu>\n";
  out += "  <os>\n";
  out += "    <type arch='x86_64'" + Attr("machine", spec.machine) + ">hvm</type>\n";
  if (!spec.kernel.empty()) {
    out += "    <kernel>" + XmlEscape(spec.kernel) + "</kernel>\n";
    if (!spec.initrd.empty()) out += "    <initrd>" + XmlEscape(spec.initrd) + "</initrd>\n";
    if (!spec.cmdline.empty()) out += "    <cmdline>" + XmlEscape(spec.cmdline) + "</cmdline>\n";
  } else {
    out += "    <boot dev='hd'/>\n";
    if (!spec.cdroms.empty()) out += "    <boot dev='cdrom'/>\n";
  }
  out += "  </os>\n";
  out += "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n";
  out += "  <clock offset='utc'/>\n";
  out += "  <on_poweroff>destroy</on_poweroff>\n";
  out += "  <on_reboot>restart</on_reboot>\n";
  out += "  <on_crash>destroy</on_crash>\n";
  out += "  <devices>\n";
  for (const auto& disk : spec.disks) {
    out += "    <disk type='file' device='disk'>\n";
    out += "      <driver name='qemu'" + Attr("type", disk.format) + "/>\n";
    out += "      <source" + Attr("file", disk.path) + "/>\n";
    out += "      <target" + Attr("dev", disk.target_dev) + Attr("bus", disk.bus) + "/>\n";
    out += "    </disk>\n";
  }
  for (const auto& cdrom : spec.cdroms) AppendCdrom(out, cdrom, "    ");
  bool needs_scsi =
      std::any_of(spec.cdroms.begin(), spec.cdroms.end(), [](const auto& c) { return c.bus == "scsi"; }) ||
      std::any_of(spec.disks.begin(), spec.disks.end(), [](const auto& d) { return d.bus == "scsi"; });
  if (needs_scsi) out += "    <controller type='scsi' index='0' model='virtio-scsi'/>\n";
  for (const auto& nic : spec.nics) AppendNic(out, nic);
  if (!spec.serial_log.empty()) {
    std::string source = "<source" + Attr("path", spec.serial_log) + " append='on'/>";
    out += "    <serial type='file'>\n      " + source + "\n      <target port='0'/>\n    </serial>\n";
    out += "    <console type='file'>\n      " + source +
           "\n      <target type='serial' port='0'/>\n    </console>\n";
  }
  out += "    <memballoon model='virtio'>\n      <stats period='5'/>\n    </memballoon>\n";
  out += "  </devices>\n";
  out += "</domain>\n";
  return out;
}

}  // namespace tern::virt
