// Pure rendering of DomainSpec / CdromSpec into libvirt domain and device XML (no libvirt calls).
#pragma once

#include <string>
#include <string_view>

#include "virt/domain_spec.h"

namespace tern::virt {

// Escapes & < > " ' for use in XML text and attribute values.
std::string XmlEscape(std::string_view text);

// Full <domain> XML. XML-escapes every value; SCSI CD-ROMs (and SCSI disks) get a virtio-scsi controller; IDE
// CD-ROMs are plain bus='ide' targets (machine pc). Call ValidateDomainSpec first for user-supplied specs.
std::string RenderDomainXml(const DomainSpec& spec);

// <disk device='cdrom'> XML for virDomainAttachDeviceFlags / DetachDeviceFlags / UpdateDeviceFlags.
// An empty source renders an empty tray.
std::string RenderCdromXml(const CdromSpec& cdrom);

}  // namespace tern::virt
