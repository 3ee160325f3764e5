// Any bytes as the collector's YAML config file (alerting routes, receivers, tokens, certificates):
// reading and checking it must give a config or errors naming their lines, never a crash or an
// exception out of the reader.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "collector/app/collector_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      "/tmp/regwatch-collector-config-fuzz-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto loaded = regwatch::collector::load_collector_config(path);
    if (!loaded.ok() && loaded.error().message.empty()) std::abort();  // an error says what
  } catch (...) {
    std::abort();  // config errors are results, never exceptions out of the reader
  }
  return 0;
}
