#include "agent/sip/sip_framer.h"

#include "agent/sip/sip_message.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace regwatch::agent::sip {
namespace {

std::string message(std::string_view call_id, std::string_view body = "") {
  return "REGISTER sip:cucm SIP/2.0\r\nCall-ID: " + std::string(call_id) +
         "\r\nCSeq: 1 REGISTER\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

const std::string kAnswer = "SIP/2.0 200 OK\r\nCall-ID: b\r\nCSeq: 1 REGISTER\r\nl: 0\r\n\r\n";

struct Framed {
  SipFramer framer;
  SipFramerCounters counters;
  std::vector<std::string> messages;

  void feed(std::string_view bytes) {
    framer.feed(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
        [this](std::span<const uint8_t> m) { messages.emplace_back(m.begin(), m.end()); },
        counters);
  }
  void feed_byte_by_byte(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size(); ++i) feed(bytes.substr(i, 1));
  }
};

TEST(SipFramer, SeveralMessagesInOneSegment) {
  Framed f;
  const std::string a = message("a", "v=0\r\n");
  f.feed(a + kAnswer + message("c"));
  EXPECT_EQ(f.messages, (std::vector<std::string>{a, kAnswer, message("c")}));
  EXPECT_EQ(f.counters.messages, 3u);
  EXPECT_TRUE(f.framer.idle());
}

TEST(SipFramer, SplitAnywhereByteByByte) {
  const std::string stream = message("a", "body") + "\r\n\r\n" + kAnswer + message("c");
  Framed f;
  f.feed_byte_by_byte(stream);
  EXPECT_EQ(f.messages, (std::vector<std::string>{message("a", "body"), kAnswer, message("c")}));
  EXPECT_TRUE(f.framer.idle());
  // Every single cut point too.
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    Framed g;
    g.feed(std::string_view(stream).substr(0, cut));
    g.feed(std::string_view(stream).substr(cut));
    ASSERT_EQ(g.messages, f.messages) << "cut at " << cut;
  }
}

TEST(SipFramer, PartialMessageIsHeld) {
  Framed f;
  const std::string a = message("a", "0123456789");
  f.feed(std::string_view(a).substr(0, a.size() - 3));
  EXPECT_TRUE(f.messages.empty());
  EXPECT_EQ(f.framer.held_bytes(), a.size() - 3);
  EXPECT_FALSE(f.framer.idle());
  f.feed(std::string_view(a).substr(a.size() - 3));
  EXPECT_EQ(f.messages, std::vector<std::string>{a});
  EXPECT_TRUE(f.framer.idle());
}

TEST(SipFramer, CrlfKeepalivesAreSkippedAndCounted) {
  Framed f;
  f.feed("\r\n\r\n");  // a ping
  f.feed(kAnswer);
  f.feed("\r\n");  // a pong
  f.feed("\r\n\r\n\r\n");
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
  EXPECT_EQ(f.counters.keepalives, 4u);
  EXPECT_TRUE(f.framer.idle());
}

TEST(SipFramer, MissingContentLengthResyncsAtTheNextMessage) {
  Framed f;
  const std::string no_length = "REGISTER sip:cucm SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 R\r\n\r\n";
  f.feed(no_length + "junk body\r\nmore junk\r\n" + kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
  EXPECT_EQ(f.counters.bad_lengths, 1u);
  EXPECT_EQ(f.counters.resyncs, 1u);
  EXPECT_EQ(f.counters.skipped_bytes, no_length.size() + 22);
  EXPECT_TRUE(f.framer.idle());
}

TEST(SipFramer, BadContentLengthResyncsByteByByte) {
  Framed f;
  const std::string bad = "SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 1x\r\n\r\n";
  f.feed_byte_by_byte(bad + "garbage\r\n" + message("a"));
  EXPECT_EQ(f.messages, std::vector<std::string>{message("a")});
  EXPECT_EQ(f.counters.bad_lengths, 1u);
  EXPECT_EQ(f.counters.resyncs, 1u);
}

TEST(SipFramer, GarbageWhereAMessageMustStartIsSkipped) {
  Framed f;
  f.feed("\x16\x03\x01 not sip at all\r\n" + kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
  EXPECT_EQ(f.counters.skipped_bytes, 20u);
}

TEST(SipFramer, OversizedBodyIsDroppedAndTheNextMessageKept) {
  Framed f;
  const std::string huge =
      "REGISTER sip:cucm SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 R\r\nContent-Length: 70000\r\n\r\n";
  f.feed(huge + std::string(100, 'b') + "\r\n" + kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
  EXPECT_EQ(f.counters.oversized, 1u);
  EXPECT_LE(f.framer.held_bytes(), kMaxSipMessage);
}

TEST(SipFramer, MessageAtTheLimitPassesOnePastIsOversized) {
  const std::string head_of = "REGISTER sip:cucm SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 R\r\n";
  const auto with_body = [&](size_t total) {
    // Content-Length of 5 digits either way: the head has a fixed size.
    std::string head = head_of + "Content-Length: 00000\r\n\r\n";
    const size_t body = total - head.size();
    std::string digits = std::to_string(body);
    digits.insert(0, 5 - digits.size(), '0');
    head.replace(head.find("00000"), 5, digits);
    return head + std::string(body, 'b');
  };
  Framed at;
  at.feed(with_body(kMaxSipMessage));
  ASSERT_EQ(at.messages.size(), 1u);
  EXPECT_EQ(at.messages[0].size(), kMaxSipMessage);
  Framed past;
  past.feed(with_body(kMaxSipMessage + 1));
  EXPECT_TRUE(past.messages.empty());
  EXPECT_EQ(past.counters.oversized, 1u);
}

TEST(SipFramer, HeadWithoutEndPastTheLimitIsOversized) {
  Framed f;
  f.feed("REGISTER sip:cucm SIP/2.0\r\nX: " + std::string(kMaxSipHead, 'x'));
  EXPECT_EQ(f.counters.oversized, 1u);
  EXPECT_LE(f.framer.held_bytes(), 64u);
  f.feed("\r\n\r\n" + kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
}

TEST(SipFramer, LostSyncDropsTheHeldAndFindsTheNextStart) {
  Framed f;
  const std::string a = message("a", "01234567\r\n");
  f.feed(std::string_view(a).substr(0, 30));
  EXPECT_GT(f.framer.held_bytes(), 0u);
  f.framer.lost_sync();
  EXPECT_EQ(f.framer.held_bytes(), 0u);
  EXPECT_FALSE(f.framer.idle());
  // The bytes after the hole start in the middle of a message.
  f.feed("Length: 10\r\n\r\n01234567\r\n" + kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
  EXPECT_EQ(f.counters.resyncs, 1u);
  EXPECT_TRUE(f.framer.idle());
}

TEST(SipFramer, LostSyncThenAMessageRightAfterTheHole) {
  Framed f;
  f.framer.lost_sync();
  f.feed(kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
}

TEST(SipFramer, ResetForgetsEverything) {
  Framed f;
  f.feed("REGISTER sip:cu");
  EXPECT_FALSE(f.framer.idle());
  f.framer.reset();
  EXPECT_TRUE(f.framer.idle());
  f.feed(kAnswer);
  EXPECT_EQ(f.messages, std::vector<std::string>{kAnswer});
}

}  // namespace
}  // namespace regwatch::agent::sip
