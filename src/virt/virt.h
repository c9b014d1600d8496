// Umbrella header of src/virt: the Hypervisor port, its libvirt implementation, XML rendering and the probe.
#pragma once

#include "virt/domain_event.h"
#include "virt/domain_spec.h"
#include "virt/domain_type_probe.h"
#include "virt/domain_xml.h"
#include "virt/hypervisor.h"
#include "virt/libvirt_hypervisor.h"
