// RunProcess: runs a program (no shell) and captures its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace tern {

struct ProcessOutput {
  int exit_code = 0;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Fails only when the program cannot be started; a non-zero exit is in exit_code.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv);

}  // namespace tern
