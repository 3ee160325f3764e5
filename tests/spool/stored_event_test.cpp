// check_stored_event against the real parser: on real events (every payload kind the schema
// nests, repeated fields, multi-byte text), cut at every length and with bytes changed at every
// offset, it accepts exactly what regwatch::v1::Event parses with the record's seq.
#include "agent/spool/stored_event.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::spool {
namespace {

namespace pb = google::protobuf;

v1::Event phone_event(uint64_t seq) {
  v1::Event e;
  e.set_agent_id("agent-ü-1");  // two-byte UTF-8
  e.set_seq(seq);
  e.set_event_time_us(1'700'000'000'000'000);
  e.set_receive_time_us(1'700'000'000'000'123);
  e.set_origin("cucm-pub");
  e.set_source(v1::SOURCE_SYSLOG);
  e.set_kind(v1::PHONE_UNREGISTERED);
  e.mutable_time_info()->set_device_time_text("Nov 20 09:15:00.123 UTC");
  e.set_raw(
      "<187>1234: cucm-pub: Nov 20 2026 09:15:00.123 UTC : %UC_CALLMANAGER-3-"
      "EndPointUnregistered: %[DeviceName=SEP0017943A98BA][Reason=8] — 日本");
  auto* syslog = e.mutable_syslog();
  syslog->set_app("UC_CALLMANAGER");
  syslog->set_mnemonic("EndPointUnregistered");
  for (int i = 0; i < 3; ++i) {
    auto* tag = syslog->add_tags();
    tag->set_key("Key" + std::to_string(i));
    tag->set_value("välue " + std::to_string(i));
  }
  auto* phone = e.mutable_phone();
  phone->set_device_name("SEP0017943A98BA");
  phone->set_reason_code(8);
  phone->set_reason("KeepAliveTimeout");
  phone->mutable_boot()->set_stage("config");
  phone->mutable_boot()->add_cm_group("cucm-sub1");
  phone->mutable_boot()->add_cm_group("cucm-sub2");
  return e;
}

v1::Event drop_report(uint64_t seq) {
  v1::Event e;
  e.set_agent_id("agent-1");
  e.set_seq(seq);
  e.set_kind(v1::AGENT_DROPS);
  e.mutable_agent_drops()->set_reason("spool_full");
  e.mutable_agent_drops()->set_dropped(12);
  return e;
}

// What the collector's parser makes of the bytes, as check_stored_event must judge it.
bool parses_with_seq(const std::string& bytes, uint64_t seq) {
  v1::Event event;
  return event.ParseFromString(bytes) && event.seq() == seq;
}

void expect_equivalent(const std::string& bytes, uint64_t seq, const std::string& what) {
  const StoredEventFault fault = check_stored_event(bytes, seq);
  EXPECT_EQ(fault == StoredEventFault::kNone, parses_with_seq(bytes, seq))
      << what << ": check says " << to_string(fault);
}

TEST(StoredEvent, AcceptsWhatTheSpoolStores) {
  for (const auto& event : {phone_event(7), drop_report(8)}) {
    EXPECT_EQ(check_stored_event(event.SerializeAsString(), event.seq()), StoredEventFault::kNone);
  }
}

TEST(StoredEvent, TruncatedAtEveryLengthAgreesWithTheParser) {
  const pb::LogSilencer quiet;  // the parser logs each string that is not UTF-8
  for (const auto& event : {phone_event(7), drop_report(8)}) {
    const std::string bytes = event.SerializeAsString();
    size_t refused = 0;
    for (size_t length = 0; length < bytes.size(); ++length) {
      const std::string cut = bytes.substr(0, length);
      expect_equivalent(cut, event.seq(), "cut at " + std::to_string(length));
      refused += check_stored_event(cut, event.seq()) != StoredEventFault::kNone ? 1 : 0;
    }
    // Bytes cut between two fields are a shorter event the parser takes too (only the record's
    // CRC can tell); everywhere else the cut is refused.
    EXPECT_GT(refused, bytes.size() * 9 / 10);
  }
  const std::string bytes = phone_event(7).SerializeAsString();
  const size_t raw_at = bytes.find("<187>");
  ASSERT_NE(raw_at, std::string::npos);
  EXPECT_EQ(check_stored_event(bytes.substr(0, raw_at + 10), 7), StoredEventFault::kTruncated);
}

TEST(StoredEvent, ChangedBytesAtEveryOffsetAgreeWithTheParser) {
  const pb::LogSilencer quiet;  // the parser logs each string that is not UTF-8
  const std::string bytes = phone_event(7).SerializeAsString();
  for (size_t at = 0; at < bytes.size(); ++at) {
    for (const unsigned char value : {0x00, 0x01, 0x07, 0x0a, 0x0b, 0x0c, 0x7f, 0x80, 0xc0, 0xc3,
                                      0xe0, 0xed, 0xf4, 0xf5, 0xff}) {
      std::string changed = bytes;
      changed[at] = static_cast<char>(value);
      expect_equivalent(changed, 7, "byte " + std::to_string(at) + " = " + std::to_string(value));
    }
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x80);
    expect_equivalent(flipped, 7, "byte " + std::to_string(at) + " ^ 0x80");
  }
}

TEST(StoredEvent, RefusesAStringThatIsNotUtf8AtAnyDepth) {
  const pb::LogSilencer quiet;  // the parser logs each string that is not UTF-8
  v1::Event top = phone_event(7);
  top.set_raw("cut \xc3");  // the serialiser writes it (and logs); the parser refuses it
  EXPECT_EQ(check_stored_event(top.SerializeAsString(), 7), StoredEventFault::kNotUtf8);
  EXPECT_FALSE(parses_with_seq(top.SerializeAsString(), 7));
  v1::Event nested = phone_event(7);
  nested.mutable_syslog()->mutable_tags(2)->set_value("\xed\xa0\x80");  // a surrogate
  EXPECT_EQ(check_stored_event(nested.SerializeAsString(), 7), StoredEventFault::kNotUtf8);
  EXPECT_FALSE(parses_with_seq(nested.SerializeAsString(), 7));
  v1::Event repeated = phone_event(7);
  repeated.mutable_phone()->mutable_boot()->set_cm_group(1, "\xc0\xaf");  // overlong
  EXPECT_EQ(check_stored_event(repeated.SerializeAsString(), 7), StoredEventFault::kNotUtf8);
  EXPECT_FALSE(parses_with_seq(repeated.SerializeAsString(), 7));
}

TEST(StoredEvent, TheSeqMustBeTheRecords) {
  const std::string bytes = phone_event(7).SerializeAsString();
  EXPECT_EQ(check_stored_event(bytes, 8), StoredEventFault::kSeqMismatch);
  v1::Event no_seq = phone_event(7);
  no_seq.clear_seq();
  EXPECT_EQ(check_stored_event(no_seq.SerializeAsString(), 7), StoredEventFault::kSeqMismatch);
  // A field given twice: the last one counts, for the parser and so here.
  std::string twice = bytes;
  twice += std::string("\x10\x09", 2);  // seq = 9
  EXPECT_EQ(check_stored_event(twice, 9), StoredEventFault::kNone);
  EXPECT_EQ(check_stored_event(twice, 7), StoredEventFault::kSeqMismatch);
  expect_equivalent(twice, 9, "seq twice");
}

TEST(StoredEvent, UnknownFieldsAndGroupsAsTheParserTakesThem) {
  const std::string bytes = drop_report(8).SerializeAsString();
  // Field 500 (a newer agent's), length-delimited: kept by the parser, skipped here.
  const std::string unknown = bytes + std::string(
                                          "\xa2\x1f\x03"
                                          "abc",
                                          6);
  EXPECT_EQ(check_stored_event(unknown, 8), StoredEventFault::kNone);
  expect_equivalent(unknown, 8, "unknown field");
  // A group (field 60): start, a varint field inside, its end.
  const std::string group = bytes + std::string("\xe3\x03\x08\x01\xe4\x03", 6);
  expect_equivalent(group, 8, "group");
  expect_equivalent(bytes + std::string("\xe3\x03\x08\x01", 4), 8, "group never ended");
  expect_equivalent(bytes + std::string("\xe3\x03\x08\x01\xec\x03", 6), 8, "another's end");
  expect_equivalent(bytes + std::string("\xe4\x03", 2), 8, "an end without a start");
  expect_equivalent(bytes + std::string("\x00", 1), 8, "tag 0");
  expect_equivalent(bytes + std::string("\x0e\x01", 2), 8, "wire type 6");
  expect_equivalent(bytes + std::string(11, '\xff') + "\x01", 8, "varint too long");
  EXPECT_EQ(check_stored_event(bytes + std::string("\xe3\x03\x08\x01", 4), 8),
            StoredEventFault::kTruncated);
}

TEST(StoredEvent, RefusesNestingPastTheLimit) {
  // Groups nested deeper than the limit (the parser's own is 100; ours is below it).
  std::string deep = drop_report(8).SerializeAsString();
  for (int i = 0; i < kMaxStoredEventDepth + 2; ++i) deep += "\xe3\x03";
  for (int i = 0; i < kMaxStoredEventDepth + 2; ++i) deep += "\xe4\x03";
  EXPECT_EQ(check_stored_event(deep, 8), StoredEventFault::kTooDeep);
}

// The check walks into messages and checks strings; it does not walk packed repeated numbers.
// Event has none: when one is added, teach check_stored_event to walk it (the parser refuses a
// packed field with a bad varint) before this test is changed.
TEST(StoredEvent, EventHasNoPackedRepeatedScalars) {
  std::vector<const pb::Descriptor*> pending{v1::Event::descriptor()};
  std::set<const pb::Descriptor*> seen;
  while (!pending.empty()) {
    const pb::Descriptor* message = pending.back();
    pending.pop_back();
    if (!seen.insert(message).second) continue;
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* field = message->field(i);
      if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
        pending.push_back(field->message_type());
        continue;
      }
      EXPECT_FALSE(field->is_repeated() && field->type() != pb::FieldDescriptor::TYPE_STRING &&
                   field->type() != pb::FieldDescriptor::TYPE_BYTES)
          << field->full_name() << " is a repeated scalar: check_stored_event must learn packed";
    }
  }
  EXPECT_GT(seen.size(), 10u);
}

}  // namespace
}  // namespace regwatch::agent::spool
