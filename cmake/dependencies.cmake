# Every dependency comes from Debian 12 packages (see docs/dependencies.md).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# Stored event payloads, compressed with a dictionary (collector/store/stored_payload.h).
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
# The daemons' allocator (docs/dependencies.md): tcmalloc's thread caches instead of glibc's
# arenas, which cost the collector a quarter of its CPU. Not under the sanitizers, which bring
# their own allocator.
if(REGWATCH_TCMALLOC AND NOT REGWATCH_SANITIZE AND NOT REGWATCH_BUILD_FUZZ)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
endif()
pkg_check_modules(NETSNMP REQUIRED IMPORTED_TARGET netsnmp)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)
# Label matchers (alerts/label_matcher): RE2, the engine Alertmanager's Go regexp mirrors.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# The collector's HTTP API and dashboard, the agent's /metrics (docs/dependencies.md).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# sd_notify for Type=notify units: readiness, reload, stopping, watchdog (common/service_notify).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
if(REGWATCH_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(REGWATCH_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
