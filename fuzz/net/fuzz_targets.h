// Entry points of the tern-switch libFuzzer targets, also called by the corpus replay unit test
// (tests/net/fuzz_replay_test.cpp). Each returns 0 and must never crash, leak or trip a sanitizer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::net::fuzz {

int FuzzFrame(const uint8_t* data, size_t size);    // Ethernet parser + offload resolution
int FuzzControl(const uint8_t* data, size_t size);  // control message parser + membership
int FuzzSwitch(const uint8_t* data, size_t size);   // a daemon's whole receive path (raw, sealed, fragmented)

}  // namespace tern::net::fuzz

#ifndef TERN_FUZZ_NO_MAIN
#define TERN_FUZZ_MAIN(fn)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return tern::net::fuzz::fn(data, size);                                 \
  }
#else
#define TERN_FUZZ_MAIN(fn)
#endif
