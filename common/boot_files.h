#pragma once
// What a file a phone downloads in its boot chain is, from its name alone: the one rule that
// the agent's TFTP and HTTP analyzers, the boot tracker and the collector's `explain` share.
//
//   CTLSEP<MAC>.tlv / CTLFile.tlv            -> ctl
//   ITLSEP<MAC>.tlv / ITLFile.tlv            -> itl
//   SEP<MAC>.cnf.xml                         -> config
//   SEP<MAC>.cnf.xml.sgn                     -> config_signed
//   SEP<MAC>.cnf.xml.enc.sgn                 -> config_encrypted
//   XMLDefault.cnf.xml(.sgn)                 -> default_config
//   *.loads, term*.default(.loads)           -> firmware_load
//   *.sbn, *.bin, *.zz, *.sb2, *.img, *.pkg  -> firmware_image
//   anything else (ring lists, dial plans, softkeys, locales, wallpapers) -> other
// Case-insensitive; a leading '/' or directory part ("/SEP....cnf.xml", HTTP paths with a
// query) is ignored. Pure, no allocation beyond the returned strings.
#include <cstdint>
#include <string>
#include <string_view>

namespace regwatch::domain {

enum class BootFileKind : uint8_t {
  kOther,
  kCtl,
  kItl,
  kConfig,
  kConfigSigned,
  kConfigEncrypted,
  kDefaultConfig,
  kFirmwareLoad,
  kFirmwareImage,
};

BootFileKind classify_boot_file(std::string_view name);
std::string_view boot_file_kind_name(BootFileKind kind);  // "config_signed", ...
// Which files are reported (events) rather than only counted: every kind but kOther.
inline bool boot_file_matters(BootFileKind kind) {
  return kind != BootFileKind::kOther;
}
// Which files the analyzers keep while they arrive, to read the CM group and load from: a
// phone's config in clear or its XML inside a .sgn envelope, and the default config (an
// encrypted config has nothing readable).
inline bool boot_file_is_readable_config(BootFileKind kind) {
  return kind == BootFileKind::kConfig || kind == BootFileKind::kConfigSigned ||
         kind == BootFileKind::kDefaultConfig;
}
// SEP<MAC> (upper case) when the name carries a phone's MAC (CTLSEP…, ITLSEP…, SEP….cnf.xml…),
// else "".
std::string device_name_in_boot_file(std::string_view name);
// The file name without directory or query: "/a/SEP1.cnf.xml?x=1" -> "SEP1.cnf.xml".
std::string_view boot_file_base_name(std::string_view name);

}  // namespace regwatch::domain
