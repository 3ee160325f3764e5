#include "agent/spool/stored_event.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <vector>

#include "common/utf8.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::spool {
namespace {

namespace pb = google::protobuf;

// What a length-delimited field holds, as far as parsing can fail on it.
enum class Shape : uint8_t { kSkip, kString, kMessage };
struct FieldShape {
  Shape shape = Shape::kSkip;
  size_t message = 0;  // kMessage: its index in the schema
};

// A message the walk knows nothing of (a group's content): its fields are only skipped over.
constexpr size_t kUnknownMessage = std::numeric_limits<size_t>::max();
// The record's seq lives in Event.seq.
constexpr uint32_t kSeqField = regwatch::v1::Event::kSeqFieldNumber;

// The shapes of Event's fields and of every message reachable from it, by field number, taken
// once from the generated descriptors (so a field added to the protos is known here at once).
class Schema {
 public:
  static const Schema& event() {
    static const Schema kSchema(regwatch::v1::Event::descriptor());
    return kSchema;
  }

  const FieldShape& field(size_t message, uint32_t number) const {
    static const FieldShape kSkipped;
    if (message == kUnknownMessage) return kSkipped;
    const auto& fields = messages_[message];
    return number < fields.size() ? fields[number] : kSkipped;
  }

 private:
  explicit Schema(const pb::Descriptor* root) { add(root); }

  size_t add(const pb::Descriptor* descriptor) {
    if (const auto it = index_.find(descriptor); it != index_.end()) return it->second;
    const size_t index = messages_.size();
    index_.emplace(descriptor, index);
    messages_.emplace_back();
    int max_number = 0;
    for (int i = 0; i < descriptor->field_count(); ++i) {
      max_number = std::max(max_number, descriptor->field(i)->number());
    }
    std::vector<FieldShape> fields(static_cast<size_t>(max_number) + 1);
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const pb::FieldDescriptor* field = descriptor->field(i);
      FieldShape& shape = fields[static_cast<size_t>(field->number())];
      if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
        shape = {Shape::kMessage, add(field->message_type())};
      } else if (field->type() == pb::FieldDescriptor::TYPE_STRING &&
                 field->file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO3) {
        shape.shape = Shape::kString;  // proto3 strings are checked when parsed; proto2 ones not
      }
    }
    messages_[index] = std::move(fields);  // by index: add() above may have moved messages_
    return index;
  }

  std::vector<std::vector<FieldShape>> messages_;
  std::unordered_map<const pb::Descriptor*, size_t> index_;
};

// Well-formed UTF-8, with runs of ASCII (nearly all of a syslog line) taken 8 bytes at a time.
bool is_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word = 0;
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// A varint of at most max_bytes bytes (10 for a value, 5 for a tag or a length, as the parser
// reads them), taken off the front of `in`.
StoredEventFault read_varint(std::string_view& in, size_t max_bytes, uint64_t& value) {
  value = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (i == in.size()) return StoredEventFault::kTruncated;
    const auto byte = static_cast<unsigned char>(in[i]);
    value |= uint64_t{byte & 0x7fu} << (7 * i);
    if (byte < 0x80) {
      in.remove_prefix(i + 1);
      return StoredEventFault::kNone;
    }
  }
  return StoredEventFault::kMalformed;
}

// Walks the fields at the front of `in`: a whole message (group == 0) up to the end of `in`, or
// a group's fields up to its end tag. `seq` (the top level only) gets Event.seq's last value.
StoredEventFault walk(const Schema& schema, size_t message, std::string_view& in, int depth,
                      uint32_t group, uint64_t* seq) {
  if (depth > kMaxStoredEventDepth) return StoredEventFault::kTooDeep;
  while (!in.empty()) {
    uint64_t tag = 0;
    if (auto fault = read_varint(in, 5, tag); fault != StoredEventFault::kNone) return fault;
    tag &= 0xffffffffu;  // the parser keeps a tag's low 32 bits
    const auto number = static_cast<uint32_t>(tag >> 3);
    const auto wire_type = static_cast<unsigned>(tag & 7);
    if (wire_type == 4) {  // end of a group: only of the one open here
      return group != 0 && number == group ? StoredEventFault::kNone : StoredEventFault::kMalformed;
    }
    if (number == 0) return StoredEventFault::kMalformed;
    switch (wire_type) {
      case 0: {
        uint64_t value = 0;
        if (auto fault = read_varint(in, 10, value); fault != StoredEventFault::kNone) return fault;
        if (seq != nullptr && number == kSeqField) *seq = value;
        break;
      }
      case 1:
      case 5: {
        const size_t size = wire_type == 1 ? 8 : 4;
        if (in.size() < size) return StoredEventFault::kTruncated;
        in.remove_prefix(size);
        break;
      }
      case 2: {
        uint64_t length = 0;
        if (auto fault = read_varint(in, 5, length); fault != StoredEventFault::kNone) return fault;
        if (length > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
          return StoredEventFault::kMalformed;
        }
        if (length > in.size()) return StoredEventFault::kTruncated;
        std::string_view body = in.substr(0, static_cast<size_t>(length));
        in.remove_prefix(static_cast<size_t>(length));
        const FieldShape& shape = schema.field(message, number);
        if (shape.shape == Shape::kString && !is_utf8(body)) return StoredEventFault::kNotUtf8;
        if (shape.shape == Shape::kMessage) {
          auto fault = walk(schema, shape.message, body, depth + 1, 0, nullptr);
          if (fault != StoredEventFault::kNone) return fault;
        }
        break;
      }
      case 3: {  // a group (only ever an unknown field here): its fields up to its end tag
        auto fault = walk(schema, kUnknownMessage, in, depth + 1, number, nullptr);
        if (fault != StoredEventFault::kNone) return fault;
        break;
      }
      default: return StoredEventFault::kMalformed;  // wire types 6 and 7 do not exist
    }
  }
  return group != 0 ? StoredEventFault::kTruncated : StoredEventFault::kNone;
}

}  // namespace

std::string_view to_string(StoredEventFault fault) {
  switch (fault) {
    case StoredEventFault::kNone: return "none";
    case StoredEventFault::kTruncated: return "truncated";
    case StoredEventFault::kMalformed: return "malformed";
    case StoredEventFault::kNotUtf8: return "string_not_utf8";
    case StoredEventFault::kTooDeep: return "nested_too_deep";
    case StoredEventFault::kSeqMismatch: return "seq_mismatch";
  }
  return "unknown";
}

StoredEventFault check_stored_event(std::string_view bytes, uint64_t seq) {
  const Schema& schema = Schema::event();
  uint64_t found_seq = 0;
  if (auto fault = walk(schema, 0, bytes, 0, 0, &found_seq); fault != StoredEventFault::kNone) {
    return fault;
  }
  return found_seq == seq ? StoredEventFault::kNone : StoredEventFault::kSeqMismatch;
}

}  // namespace regwatch::agent::spool
