// tern's metadata in a libvirt domain (<tern:vm> under <metadata>): rendering for virDomainSetMetadata and a
// tolerant parser of what virDomainGetMetadata returns. It lets any host adopt a tern VM from libvirt alone.
#pragma once

#include <map>
#include <string>

#include "core/result.h"

namespace tern::virt {

// "<vm><KEY>VALUE</KEY>...</vm>", values escaped; the form virDomainSetMetadata wants (it adds the
// namespace).
std::string RenderTernMetadataXml(const std::map<std::string, std::string>& values);

// Reads the child elements of the root element (any namespace prefix) as key -> unescaped text.
// InvalidArgument naming `what` when the XML is not such a flat element.
Result<std::map<std::string, std::string>> ParseTernMetadataXml(const std::string& xml,
                                                                const std::string& what);

}  // namespace tern::virt
