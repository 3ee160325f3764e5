// Any bytes as the agent's YAML config file: reading and checking it must give a config or
// errors naming their lines, never a crash or an exception out of the reader.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "agent/app/agent_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      "/tmp/regwatch-agent-config-fuzz-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto loaded = regwatch::agent::load_agent_config(path);
    if (!loaded.ok() && loaded.error().message.empty()) std::abort();  // an error says what
  } catch (...) {
    std::abort();  // config errors are results, never exceptions out of the reader
  }
  return 0;
}
