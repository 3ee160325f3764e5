#pragma once
// Proto3 `string` fields must hold valid UTF-8, or the message does not parse back (the spool
// would skip it). Text taken from the wire (TFTP file names, DHCP options, HTTP reason phrases,
// config text) need not be: this makes every string field of a message, nested ones and
// repeated ones included, valid with common/utf8.h's rule (invalid bytes become "\xNN"). Bytes
// fields are left alone.
#include <google/protobuf/message.h>

namespace regwatch {

// true when every string was valid already (nothing changed).
bool make_strings_utf8(google::protobuf::Message& message);

}  // namespace regwatch
