// Stored payloads (collector/store/stored_payload.h): what the writer stores reads back as the
// event it was, smaller; rows stored before compression read as they always did; damaged or
// foreign bytes are refused, never a crash or an unbounded allocation; dictionary 1 never
// changes.
#include "collector/store/stored_payload.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdint>
#include <string>

namespace regwatch::collector::store {
namespace {

// A CUCM unregistration as the agent parses it (the bench's line): raw line, tags and phone.
v1::Event unregistration() {
  v1::Event event;
  event.set_agent_id("agent-1");
  event.set_seq(42);
  event.set_event_time_us(1'795'165'200'000'000);
  event.set_receive_time_us(1'795'165'200'100'000);
  event.set_origin("ucm-sub1");
  event.set_source(v1::SOURCE_SYSLOG);
  event.set_kind(v1::PHONE_UNREGISTERED);
  event.set_raw(
      "Nov 20 09:00:00 ucm-sub1 local7 3 : 1: ucm-sub1 Nov 20 2026 09:00:00.000 UTC :  "
      "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP000000000000][IPAddress=10.1.0.0]"
      "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
      "[NodeID=ucm-sub1]: An endpoint has unregistered");
  auto* syslog = event.mutable_syslog();
  syslog->set_app("UC_CALLMANAGER");
  syslog->set_mnemonic("EndPointUnregistered");
  syslog->set_text("An endpoint has unregistered");
  for (const auto& [key, value] : {std::pair{"DeviceName", "SEP000000000000"},
                                   {"IPAddress", "10.1.0.0"},
                                   {"Protocol", "SCCP"},
                                   {"DeviceType", "115"},
                                   {"Reason", "13"},
                                   {"AppID", "Cisco CallManager"},
                                   {"ClusterID", "PROD"},
                                   {"NodeID", "ucm-sub1"}}) {
    auto* tag = syslog->add_tags();
    tag->set_key(key);
    tag->set_value(value);
  }
  auto* phone = event.mutable_phone();
  phone->set_device_name("SEP000000000000");
  phone->set_ip("10.1.0.0");
  phone->set_reason_code(13);
  phone->set_cm_node("ucm-sub1");
  return event;
}

TEST(StoredPayload, AnEventReadsBackAsItWasAndStoresSmaller) {
  const v1::Event event = unregistration();
  std::string stored;
  encode_stored_payload(event, stored);
  ASSERT_GE(stored.size(), 2u);
  EXPECT_EQ(stored[0], '\0');  // the compressed form's mark
  EXPECT_EQ(stored[1], 1);     // codec 1: zstd with dictionary 1
  EXPECT_LT(stored.size(), event.ByteSizeLong() / 2) << "serialised " << event.ByteSizeLong();
  v1::Event read;
  ASSERT_TRUE(decode_stored_payload(stored, read));
  EXPECT_EQ(read.SerializeAsString(), event.SerializeAsString());
}

TEST(StoredPayload, EventsOfEveryShapeRoundTrip) {
  // An empty event, one with nothing the dictionary knows, a big one.
  v1::Event empty;
  v1::Event odd;
  constexpr char kControlBytes[] = "\x01\x02 control \0 bytes";
  odd.set_raw(std::string(kControlBytes, sizeof kControlBytes - 1));
  odd.set_origin("ünïcode-host");
  v1::Event big = unregistration();
  big.set_raw(std::string(200'000, 'x') + big.raw());
  for (const v1::Event* event : {&empty, &odd, &big}) {
    std::string stored;
    encode_stored_payload(*event, stored);
    v1::Event read;
    ASSERT_TRUE(decode_stored_payload(stored, read));
    EXPECT_EQ(read.SerializeAsString(), event->SerializeAsString());
  }
}

TEST(StoredPayload, RowsStoredBeforeCompressionReadAsTheyDid) {
  const v1::Event event = unregistration();
  const std::string plain = event.SerializeAsString();
  ASSERT_NE(plain[0], '\0');  // a protobuf field number is never 0
  v1::Event read;
  ASSERT_TRUE(decode_stored_payload(plain, read));
  EXPECT_EQ(read.SerializeAsString(), plain);
  EXPECT_TRUE(decode_stored_payload("", read));  // an empty event, as before
}

TEST(StoredPayload, DamagedOrForeignBytesAreRefused) {
  std::string stored;
  encode_stored_payload(unregistration(), stored);
  v1::Event read;
  // Cut short, a byte changed in the frame, an unknown codec, the mark alone.
  EXPECT_FALSE(decode_stored_payload(stored.substr(0, stored.size() - 3), read));
  std::string flipped = stored;
  flipped[stored.size() / 2] = static_cast<char>(flipped[stored.size() / 2] ^ 0x5a);
  v1::Event unused;
  (void)decode_stored_payload(flipped, unused);  // either refused or parsed: never a crash
  std::string other_codec = stored;
  other_codec[1] = 2;
  EXPECT_FALSE(decode_stored_payload(other_codec, read));
  EXPECT_FALSE(decode_stored_payload(std::string(1, '\0'), read));
  EXPECT_FALSE(decode_stored_payload(std::string("\0\x01", 2), read));
}

TEST(StoredPayload, AFrameClaimingAHugeEventIsRefusedBeforeAnyAllocation) {
  // A valid zstd frame (no dictionary) of 8 MiB of zeros: beyond kMaxStoredEventBytes.
  const std::string zeros(size_t{8} * 1024 * 1024, '\0');
  std::string frame(ZSTD_compressBound(zeros.size()), '\0');
  const size_t size = ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 1);
  ASSERT_EQ(ZSTD_isError(size), 0u);
  frame.resize(size);
  v1::Event read;
  EXPECT_FALSE(decode_stored_payload(std::string("\0\x01", 2) + frame, read));
}

TEST(StoredPayload, DictionaryOneNeverChanges) {
  // Rows compressed with it need these exact bytes for ever: a better dictionary is a new
  // file under a new codec number (stored_payload.h), never an edit of this one.
  const std::string_view dictionary = payload_dictionary_1();
  ASSERT_EQ(dictionary.size(), 16384u);
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (const char byte : dictionary) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001b3ULL;
  }
  EXPECT_EQ(hash, 0x45d83c30184ca4c8ULL);
}

}  // namespace
}  // namespace regwatch::collector::store
