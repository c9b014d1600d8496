// The context module's public API in one include: manifest parsing, context classes, layer metadata and the
// ISO images that carry each class's layer to the VM.
#pragma once

#include "context/class_parser.h"
#include "context/iso_builder.h"
#include "context/iso_reader.h"
#include "context/layer_metadata.h"
#include "context/layer_tree.h"
#include "context/manifest.h"
#include "context/names.h"
#include "context/nocloud.h"
#include "context/types.h"
