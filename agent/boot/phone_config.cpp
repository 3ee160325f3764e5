#include "agent/boot/phone_config.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace regwatch::agent::boot {
namespace {

constexpr size_t kMaxCmGroupMembers = 16;
constexpr size_t kMaxDepth = 64;
// An element or attribute name longer than this is not a config's: the scan stops there.
constexpr size_t kMaxName = 256;
// A text kept (a host name, a load name) longer than this is cut: names are short.
constexpr size_t kMaxText = 1024;

// The .sgn envelope: Cisco's signed-file header, the TLV header CTL and ITL files also carry.
// Records of a 1-byte tag and a 2-byte big-endian length; tag 1 (the header's version) first,
// then tag 2 (the header's total length, big-endian); the signed file follows at that offset.
// The record format and the two tags are as public tools that strip the header read them
// (Gareth Palmer's Cisco phone scripts: HEADER_VERSION = 1, HEADER_LENGTH = 2, struct '> B H';
// seen in excerpts, not run); the widths of the two values (2 bytes each in CUCM's files, as
// far as we know) are not confirmed, so any width up to 4 is read, and when the length does
// not point at XML the first "<?xml" or "<device" is taken instead, as the contract says.
constexpr uint8_t kTagVersion = 1;
constexpr uint8_t kTagHeaderLength = 2;

struct Envelope {
  bool present = false;  // the bytes start with the header's first two records
  std::optional<size_t> xml_offset;
};

bool starts_xml(std::span<const uint8_t> bytes, size_t offset) {
  while (offset < bytes.size() && (bytes[offset] == ' ' || bytes[offset] == '\t' ||
                                   bytes[offset] == '\r' || bytes[offset] == '\n'))
    ++offset;
  return offset < bytes.size() && bytes[offset] == '<';
}

Envelope read_envelope(std::span<const uint8_t> bytes) {
  Envelope envelope;
  constexpr size_t kRecordHead = 3;  // tag, 2-byte length
  if (bytes.size() < kRecordHead || bytes[0] != kTagVersion) return envelope;
  const size_t version_length = static_cast<size_t>(bytes[1]) << 8 | bytes[2];
  const size_t second = kRecordHead + version_length;
  if (version_length == 0 || version_length > 4 || bytes.size() < second + kRecordHead ||
      bytes[second] != kTagHeaderLength)
    return envelope;
  const size_t length_width = static_cast<size_t>(bytes[second + 1]) << 8 | bytes[second + 2];
  const size_t value = second + kRecordHead;
  if (length_width == 0 || length_width > 4 || bytes.size() < value + length_width) return envelope;
  envelope.present = true;
  size_t header_length = 0;
  for (size_t i = 0; i < length_width; ++i) header_length = header_length << 8 | bytes[value + i];
  if (header_length >= value + length_width && header_length <= bytes.size() &&
      starts_xml(bytes, header_length))
    envelope.xml_offset = header_length;
  return envelope;
}

std::optional<size_t> find_text(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  return at;
}

// Where the XML starts: at 0 for a plain file (after a UTF-8 byte order mark or blank space),
// else the first "<?xml" or "<device".
std::optional<size_t> fallback_xml_offset(std::string_view text) {
  size_t start = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  while (start < text.size() &&
         (text[start] == ' ' || text[start] == '\t' || text[start] == '\r' || text[start] == '\n'))
    ++start;
  if (start < text.size() && text[start] == '<') return start;
  std::optional<size_t> declaration = find_text(text, "<?xml");
  std::optional<size_t> device = find_text(text, "<device");
  if (declaration && device) return std::min(*declaration, *device);
  return declaration ? declaration : device;
}

// A UTF-8 byte order mark and blank space: what may precede the XML of a plain file.
bool only_preamble(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// XML's five predefined entities; 0 for any other name.
char predefined_entity(std::string_view name) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [entity, character] : kEntities)
    if (entity == name) return character;
  return 0;
}

std::string decode_entities(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    // Entity names are short: only the next few bytes are searched for the ';' (a text of many
    // '&' and no ';' stays linear), and an '&' without one is kept as written.
    const size_t semicolon = raw.substr(0, i + 12).find(';', i);
    if (semicolon == std::string_view::npos) {
      out += '&';
      continue;
    }
    const std::string_view name = raw.substr(i + 1, semicolon - i - 1);
    const char replacement = predefined_entity(name);
    if (replacement == 0) {
      out += '&';  // a character reference or an unknown entity: kept as written
      continue;
    }
    out += replacement;
    i = semicolon;
  }
  return out;
}

std::string trimmed(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return std::string(text.substr(0, kMaxText));
}

bool is_name_char(char c) {
  return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '/' && c != '>' && c != '=' &&
         c != '<';
}

// The scanner's state: the open elements, and what the config says so far.
class ConfigScanner {
 public:
  explicit ConfigScanner(std::string_view xml) : xml_(xml) {}

  // Reads elements until the end or until something it cannot follow.
  void scan() {
    while (pos_ < xml_.size()) {
      const size_t open = xml_.find('<', pos_);
      if (open == std::string_view::npos) break;
      add_text(xml_.substr(pos_, open - pos_));
      pos_ = open;
      if (!markup()) break;
    }
  }

  bool saw_device() const { return saw_device_; }

  PhoneConfig result() {
    PhoneConfig config;
    std::stable_sort(members_.begin(), members_.end(),
                     [](const Member& a, const Member& b) { return a.priority < b.priority; });
    for (Member& member : members_)
      if (!member.node.empty()) config.cm_group.push_back(std::move(member.node));
    config.security_mode = std::move(security_mode_);
    config.load_name = std::move(load_name_);
    config.device_protocol = std::move(device_protocol_);
    return config;
  }

 private:
  struct Member {
    int64_t priority = 0;
    std::string node;
  };

  // One piece of markup at pos_ ('<'); false when the scan must stop.
  bool markup() {
    const std::string_view rest = xml_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") return skip_past("-->");
    if (rest.substr(0, 9) == "<![CDATA[") {
      const size_t end = xml_.find("]]>", pos_ + 9);
      if (end == std::string_view::npos) return false;
      add_raw_text(xml_.substr(pos_ + 9, end - pos_ - 9));
      pos_ = end + 3;
      return true;
    }
    if (rest.substr(0, 2) == "<?") return skip_past("?>");
    if (rest.substr(0, 2) == "<!") return skip_past(">");
    if (rest.substr(0, 2) == "</") return end_tag();
    return start_tag();
  }

  bool skip_past(std::string_view terminator) {
    const size_t end = xml_.find(terminator, pos_);
    if (end == std::string_view::npos) return false;
    pos_ = end + terminator.size();
    return true;
  }

  std::string_view read_name() {
    const size_t begin = pos_;
    while (pos_ < xml_.size() && is_name_char(xml_[pos_]) && pos_ - begin <= kMaxName) ++pos_;
    return xml_.substr(begin, pos_ - begin);
  }

  void skip_blank() {
    while (pos_ < xml_.size() &&
           (xml_[pos_] == ' ' || xml_[pos_] == '\t' || xml_[pos_] == '\r' || xml_[pos_] == '\n'))
      ++pos_;
  }

  bool end_tag() {
    pos_ += 2;
    const std::string_view name = read_name();
    if (!skip_past(">")) return false;
    // Close the innermost element of that name (and any left open inside it); an end tag that
    // matches nothing open is ignored.
    for (size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i] != name) continue;
      while (stack_.size() > i) close_innermost();
      break;
    }
    return true;
  }

  bool start_tag() {
    ++pos_;
    const std::string_view name = read_name();
    if (name.empty() || name.size() > kMaxName) return false;
    std::optional<int64_t> priority;
    while (true) {
      skip_blank();
      if (pos_ >= xml_.size()) return false;
      if (xml_[pos_] == '>') {
        ++pos_;
        return open(name, priority);
      }
      if (xml_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        if (!open(name, priority)) return false;
        close_innermost();
        return true;
      }
      const std::string_view attribute = read_name();
      if (attribute.empty() || attribute.size() > kMaxName) return false;
      skip_blank();
      if (pos_ >= xml_.size() || xml_[pos_] != '=') return false;
      ++pos_;
      skip_blank();
      if (pos_ >= xml_.size() || (xml_[pos_] != '"' && xml_[pos_] != '\'')) return false;
      const size_t close = xml_.find(xml_[pos_], pos_ + 1);
      if (close == std::string_view::npos) return false;
      if (attribute == "priority")
        priority = parse_priority(xml_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    }
  }

  static int64_t parse_priority(std::string_view text) {
    int64_t value = 0;
    for (char c : trimmed(text)) {
      if (c < '0' || c > '9' || value > 1'000'000) return value;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  bool open(std::string_view name, std::optional<int64_t> priority) {
    if (stack_.size() == kMaxDepth) return false;
    stack_.emplace_back(name);
    text_.clear();
    // XMLDefault.cnf.xml (what an unprovisioned phone reads) has <Default> as its root and the
    // same <callManagerGroup> inside: read like <device>.
    if (!saw_device_ && (name == "device" || (name == "Default" && stack_.size() == 1))) {
      saw_device_ = true;
      config_root_ = std::string(name);
    }
    if (name == "member" && inside("callManagerGroup") && members_.size() < kMaxCmGroupMembers) {
      members_.push_back(Member{priority.value_or(static_cast<int64_t>(members_.size())), ""});
      member_open_ = true;
    }
    return true;
  }

  bool inside(std::string_view ancestor) const {
    return std::find(stack_.begin(), stack_.end(), ancestor) != stack_.end();
  }

  // Ends the innermost open element: its text is kept when it is one the config is read for.
  void close_innermost() {
    const std::string name = std::move(stack_.back());
    stack_.pop_back();
    if (!saw_device_ || (!inside(config_root_) && name != config_root_)) {
      text_.clear();
      return;
    }
    std::string value = trimmed(text_);
    text_.clear();
    if (name == "member") {
      member_open_ = false;
    } else if (name == "processNodeName" && member_open_ && inside("callManager")) {
      if (members_.back().node.empty()) members_.back().node = std::move(value);
    } else if (name == "deviceSecurityMode" && security_mode_.empty()) {
      security_mode_ = std::move(value);
    } else if (name == "loadInformation" && load_name_.empty()) {
      load_name_ = std::move(value);
    } else if (name == "deviceProtocol" && device_protocol_.empty()) {
      device_protocol_ = std::move(value);
    }
  }

  void add_text(std::string_view raw) {
    if (!stack_.empty() && text_.size() < kMaxText)
      text_ += decode_entities(raw.substr(0, kMaxText));
  }
  void add_raw_text(std::string_view raw) {
    if (!stack_.empty() && text_.size() < kMaxText) text_ += raw.substr(0, kMaxText);
  }

  std::string_view xml_;
  size_t pos_ = 0;
  std::vector<std::string> stack_;
  std::string text_;  // the innermost element's text since it opened
  std::vector<Member> members_;
  bool member_open_ = false;
  bool saw_device_ = false;
  std::string config_root_;  // "device", or "Default" in XMLDefault.cnf.xml
  std::string security_mode_, load_name_, device_protocol_;
};

}  // namespace

Result<PhoneConfig> parse_phone_config(std::span<const uint8_t> file_bytes) {
  const std::span<const uint8_t> bytes =
      file_bytes.first(std::min(file_bytes.size(), kMaxConfigBytes));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const Envelope envelope = read_envelope(bytes);
  std::optional<size_t> xml_offset = envelope.xml_offset;
  if (!xml_offset) xml_offset = fallback_xml_offset(text);
  if (!xml_offset) {
    // A signed header with nothing readable after it is the encrypted config's shape
    // (.cnf.xml.enc.sgn: the body is ciphertext).
    if (envelope.present) {
      return make_error("encrypted",
                        "the config is encrypted (a signed header and no readable XML): the "
                        "agent cannot read its CM group; only the phone can");
    }
    return make_error("not_a_phone_config", "the file is not XML (no \"<?xml\" or \"<device\")");
  }
  ConfigScanner scanner(text.substr(*xml_offset));
  scanner.scan();
  if (!scanner.saw_device()) {
    if (envelope.present && !envelope.xml_offset) {
      return make_error("encrypted",
                        "the config is encrypted (a signed header and no <device> element)");
    }
    return make_error("not_a_phone_config", "the XML has no <device> element");
  }
  PhoneConfig config = scanner.result();
  config.signed_envelope = envelope.present || !only_preamble(text.substr(0, *xml_offset));
  return config;
}

}  // namespace regwatch::agent::boot
