#include "common/proto_utf8.h"

#include <string>
#include <vector>

#include "common/utf8.h"

namespace regwatch {

bool make_strings_utf8(google::protobuf::Message& message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  bool valid = true;
  std::string scratch, clean;
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          const std::string& text =
              reflection->GetRepeatedStringReference(message, field, i, &scratch);
          if (!sanitize_utf8(text, clean)) {
            valid = false;
            reflection->SetRepeatedString(&message, field, i, clean);
          }
        }
      } else {
        const std::string& text = reflection->GetStringReference(message, field, &scratch);
        if (!sanitize_utf8(text, clean)) {
          valid = false;
          reflection->SetString(&message, field, clean);
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          valid =
              make_strings_utf8(*reflection->MutableRepeatedMessage(&message, field, i)) && valid;
        }
      } else {
        valid = make_strings_utf8(*reflection->MutableMessage(&message, field)) && valid;
      }
    }
  }
  return valid;
}

}  // namespace regwatch
