#include "common/boot_files.h"

#include <array>
#include <cctype>

#include "common/ascii_case.h"

namespace regwatch::domain {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "SEP" + 12 hex digits (a MAC) at the start of text, followed by '.'.
bool sep_mac_then_dot(std::string_view lower) {
  constexpr size_t kMacDigits = 12;
  if (!starts_with(lower, "sep") || lower.size() < 3 + kMacDigits + 1) return false;
  for (size_t i = 3; i < 3 + kMacDigits; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(lower[i]))) return false;
  return lower[3 + kMacDigits] == '.';
}

BootFileKind classify_lower(std::string_view name) {
  if (ends_with(name, ".tlv")) {
    if (starts_with(name, "ctl")) return BootFileKind::kCtl;
    if (starts_with(name, "itl")) return BootFileKind::kItl;
    return BootFileKind::kOther;
  }
  if (starts_with(name, "xmldefault.cnf.xml") && (name.size() == 18 || name.substr(18) == ".sgn"))
    return BootFileKind::kDefaultConfig;
  if (sep_mac_then_dot(name)) {
    // Longest suffix first: ".cnf.xml.enc.sgn" also ends in ".sgn".
    if (ends_with(name, ".cnf.xml.enc.sgn")) return BootFileKind::kConfigEncrypted;
    if (ends_with(name, ".cnf.xml.sgn")) return BootFileKind::kConfigSigned;
    if (ends_with(name, ".cnf.xml")) return BootFileKind::kConfig;
  }
  if (ends_with(name, ".loads")) return BootFileKind::kFirmwareLoad;
  if (starts_with(name, "term") && ends_with(name, ".default")) return BootFileKind::kFirmwareLoad;
  for (std::string_view image : {".sbn", ".bin", ".zz", ".sb2", ".img", ".pkg"})
    if (ends_with(name, image)) return BootFileKind::kFirmwareImage;
  return BootFileKind::kOther;
}

}  // namespace

std::string_view boot_file_base_name(std::string_view name) {
  // The query or fragment of an HTTP target is not part of the file name.
  if (const size_t query = name.find_first_of("?#"); query != std::string_view::npos)
    name = name.substr(0, query);
  // A directory asked for as "English_United_States/" is named by its last part.
  while (!name.empty() && (name.back() == '/' || name.back() == '\\')) name.remove_suffix(1);
  if (const size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos)
    name = name.substr(slash + 1);
  return name;
}

BootFileKind classify_boot_file(std::string_view name) {
  return classify_lower(ascii_lower(boot_file_base_name(name)));
}

std::string_view boot_file_kind_name(BootFileKind kind) {
  switch (kind) {
    case BootFileKind::kOther: return "other";
    case BootFileKind::kCtl: return "ctl";
    case BootFileKind::kItl: return "itl";
    case BootFileKind::kConfig: return "config";
    case BootFileKind::kConfigSigned: return "config_signed";
    case BootFileKind::kConfigEncrypted: return "config_encrypted";
    case BootFileKind::kDefaultConfig: return "default_config";
    case BootFileKind::kFirmwareLoad: return "firmware_load";
    case BootFileKind::kFirmwareImage: return "firmware_image";
  }
  return "other";
}

std::string device_name_in_boot_file(std::string_view name) {
  const std::string lower = ascii_lower(boot_file_base_name(name));
  std::string_view rest = lower;
  // CTLSEP<MAC>.tlv and ITLSEP<MAC>.tlv carry the device name after their prefix.
  if ((starts_with(rest, "ctlsep") || starts_with(rest, "itlsep")) && ends_with(rest, ".tlv")) {
    rest.remove_prefix(3);
  } else if (!ends_with(rest, ".cnf.xml") && !ends_with(rest, ".cnf.xml.sgn") &&
             !ends_with(rest, ".cnf.xml.enc.sgn")) {
    return "";
  }
  if (!sep_mac_then_dot(rest)) return "";
  std::string device(rest.substr(0, 15));
  for (char& c : device) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return device;
}

}  // namespace regwatch::domain
