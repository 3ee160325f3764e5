#pragma once
// A proto message as the bytes the store keeps: deterministic serialisation (map entries in key
// order), so the same incident is the same blob whatever order its maps were filled in, and
// tests can compare records byte for byte.
#include <string>
#include <string_view>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace regwatch {

template <typename Message>
std::string deterministic_bytes(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }  // the coded stream flushes into `out` when it goes
  return out;
}

// The inverse; false when the bytes are not such a message (out is then unspecified).
template <typename Message>
bool parse_record(std::string_view bytes, Message& out) {
  return out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace regwatch
