#include "agent/syslog/phone_trust_lines.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "agent/syslog/utf8_sanitize.h"
#include "common/ascii_case.h"
#include "common/device_name.h"

// Where the recognised wordings come from (real phone messages, not guesses):
// - "invalid file SEPABCDEF123456.cnf.xml.sgn, authenticated fail. Reason:14." in an 8945's
//   Status Messages, stale ITL from another cluster (seed 002; community.cisco.com
//   "Phone Registration Problem",
//   /t5/ip-telephony-and-phones/phone-registration-problem/m-p/2064222);
// - "File auth error" on 7940s (community.cisco.com /t5/collaboration-voice-and-video/
//   file-auth-error/ta-p/3128941) and "Auth Fail" while a 7941 downloads term41.default.loads
//   or SEP{mac}.cnf.xml (itwurx.net/blog/auth-fail-when-upgrading-cisco-79417961-firmware/);
// - "Trust List update failed" and "CTL update failed" (failures), "No Trust List installed",
//   "Trust List updated", "ITL installed" (informational): the Status Messages table of the
//   Cisco IP Phone 8800 Administration Guide for CUCM, "Monitoring Phone Systems"; the DX
//   series guide (10.2(5)) writes "Trust List update failed, verification failure";
// - "Auth Failed" on a wireless phone is the access point refusing it (1library.net, "Wireless
//   Phone Status Messages"): not a trust list problem, hence a file must be named.
// No phone-side wording for a TVS verification failure was found, so none is matched.

namespace regwatch::agent::syslog {
namespace {

constexpr std::array<std::string_view, 4> kAuthFailures = {
    "authenticated fail", "authentication fail", "auth fail", "auth error"};

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == ',' || c == ';' || c == ':' || c == '=' || c == '"' ||
         c == '\'' || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']';
}

// "SEP0017943A98BA.cnf.xml.sgn", "ITLFile.tlv", "term41.default.loads": a file the phone
// downloads over TFTP and checks the signature of.
bool is_signed_or_config_file(std::string_view lower) {
  return lower.find(".cnf.xml") != std::string_view::npos || lower.ends_with(".sgn") ||
         lower.ends_with(".tlv") || lower.ends_with(".loads");
}

// The first file name in the text (as written), without a path or sentence punctuation.
std::string_view file_named(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    const size_t begin = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    std::string_view token = text.substr(begin, i - begin);
    while (!token.empty() && token.back() == '.') token.remove_suffix(1);
    if (const size_t slash = token.find_last_of("/\\"); slash != std::string_view::npos)
      token.remove_prefix(slash + 1);
    if (!token.empty() && is_signed_or_config_file(ascii_lower(token))) return token;
  }
  return {};
}

bool is_ipv4(std::string_view text) {
  int parts = 0;
  size_t i = 0;
  while (i <= text.size()) {
    size_t digits = 0;
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 4) {
      value = value * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    ++parts;
    if (i == text.size()) return parts == 4;
    if (text[i] != '.' || parts == 4) return false;
    ++i;
  }
  return false;
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// A phone's device name from a name such as "sep0017943a98ba" or
// "SEP0017943A98BA.voice.example.net".
std::string device_from_name(std::string_view name) {
  const std::string candidate = upper(name.substr(0, name.find('.')));
  return mac_from_device_name(candidate).empty() ? std::string() : candidate;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

}  // namespace

bool classify_phone_trust_line(std::string_view text, std::string_view host,
                               regwatch::v1::Event& event) {
  text = trim(utf8_prefix(text, kMaxTrustScanBytes));
  const std::string lower = ascii_lower(text);
  const auto has = [&lower](std::string_view phrase) {
    return lower.find(phrase) != std::string::npos;
  };

  const std::string_view file = file_named(text);
  std::string_view alarm;
  std::string words;
  if (std::any_of(kAuthFailures.begin(), kAuthFailures.end(), has) &&
      (!file.empty() || has("file auth"))) {
    alarm = "FileAuthFail";
    words = file.empty() ? "the phone could not authenticate a downloaded file"
                         : "the phone could not authenticate " + std::string(file);
  } else if (has("trust list update failed")) {
    alarm = "TrustListUpdateFailed";
    words = "the phone could not update its trust list (ITL/CTL)";
  } else if (has("ctl update failed")) {
    alarm = "CTLUpdateFailed";
    words = "the phone could not update its CTL";
  } else {
    return false;
  }

  // Without a header, the phone's address or name may lead the text ("10.1.2.3: ...").
  while (!host.empty() && host.back() == ':') host.remove_suffix(1);
  std::string_view said = text;
  if (host.empty()) {
    const size_t end = text.find_first_of(" \t");
    std::string_view first = text.substr(0, end);
    while (!first.empty() && first.back() == ':') first.remove_suffix(1);
    if (end != std::string_view::npos && (is_ipv4(first) || !device_from_name(first).empty())) {
      host = first;
      said = trim(text.substr(end));
    }
  }

  event.set_kind(regwatch::v1::PHONE_AUTH_FAILED);
  auto* phone = event.mutable_phone();
  std::string device = file.empty() ? std::string() : device_from_name(file);
  const bool host_is_ip = is_ipv4(host);
  if (device.empty() && !host_is_ip) device = device_from_name(host);
  phone->set_device_name(device);
  phone->set_mac(mac_from_device_name(device));
  if (host_is_ip) phone->set_ip(std::string(host));
  phone->set_alarm(std::string(alarm));
  phone->set_reason(words + "; phone said: " + std::string(said));
  return true;
}

}  // namespace regwatch::agent::syslog
