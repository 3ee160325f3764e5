// StreamFramer: RFC 6587 octet counting and LF framing, split anywhere, bounded.
#include "agent/syslog/stream_framer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace regwatch::agent::syslog {
namespace {

using namespace std::string_literals;

struct Frame {
  std::string text;
  bool truncated;
  bool operator==(const Frame&) const = default;
};

// Prints frames as (size, head) so a 64 KiB mismatch stays readable.
void PrintTo(const Frame& frame, std::ostream* os) {
  *os << "{" << frame.text.size() << " bytes \"" << frame.text.substr(0, 40) << "\""
      << (frame.truncated ? ", truncated}" : "}");
}

std::vector<std::string> wire_lines() {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/syslog_transport/wire_lines.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string octet_frame(const std::string& message) {
  return std::to_string(message.size()) + " " + message;
}

class Collector {
 public:
  FrameSink sink() {
    return [this](std::string_view text, bool truncated) {
      frames.push_back({std::string(text), truncated});
    };
  }
  std::vector<Frame> frames;
};

// Feeds `chunks` in order, then ends the stream; returns what came out.
std::vector<Frame> frame_all(const std::vector<std::string>& chunks,
                             FramerCounters* counters = nullptr) {
  StreamFramer framer;
  Collector out;
  for (const auto& chunk : chunks) framer.feed(chunk, out.sink());
  framer.finish(out.sink());
  if (counters != nullptr) *counters = framer.counters();
  return out.frames;
}

std::vector<Frame> whole(const std::vector<std::string>& lines) {
  std::vector<Frame> frames;
  for (const auto& line : lines) frames.push_back({line, false});
  return frames;
}

TEST(StreamFramer, RealLinesLfFramedArriveWhole) {
  const auto lines = wire_lines();
  ASSERT_EQ(lines.size(), 4u);
  std::string stream;
  for (const auto& line : lines) stream += line + "\n";
  FramerCounters counters;
  EXPECT_EQ(frame_all({stream}, &counters), whole(lines));
  EXPECT_EQ(counters.frames, 4u);
  EXPECT_EQ(counters.lf_framed, 4u);
  EXPECT_EQ(counters.octet_counted, 0u);
  EXPECT_EQ(counters.bytes, stream.size());
}

TEST(StreamFramer, RealLinesOctetCountedArriveWhole) {
  const auto lines = wire_lines();
  std::string stream;
  for (const auto& line : lines) stream += octet_frame(line);
  FramerCounters counters;
  EXPECT_EQ(frame_all({stream}, &counters), whole(lines));
  EXPECT_EQ(counters.octet_counted, 4u);
  EXPECT_EQ(counters.lf_framed, 0u);
}

TEST(StreamFramer, FramingIsDecidedPerFrame) {
  const auto lines = wire_lines();
  const std::string stream =
      octet_frame(lines[0]) + lines[1] + "\n" + octet_frame(lines[2]) + lines[3] + "\n";
  FramerCounters counters;
  EXPECT_EQ(frame_all({stream}, &counters), whole(lines));
  EXPECT_EQ(counters.octet_counted, 2u);
  EXPECT_EQ(counters.lf_framed, 2u);
}

TEST(StreamFramer, SameFramesWhereverTheStreamIsSplit) {
  const auto lines = wire_lines();
  const std::string lf = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\0"s;
  const std::string octet = octet_frame(lines[0]) + octet_frame(lines[1]) + octet_frame(lines[2]);
  const auto three = whole({lines[0], lines[1], lines[2]});
  auto six = three;
  six.insert(six.end(), three.begin(), three.end());
  const std::vector<std::pair<std::string, std::vector<Frame>>> cases = {
      {lf, three}, {octet, three}, {lf + octet, six}, {octet + lf, six}};
  for (const auto& [stream, expected] : cases) {
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
      ASSERT_EQ(frame_all({stream.substr(0, cut), stream.substr(cut)}), expected)
          << "cut at " << cut;
    }
    std::vector<std::string> bytes;
    for (char c : stream) bytes.emplace_back(1, c);
    EXPECT_EQ(frame_all(bytes), expected);
  }
}

TEST(StreamFramer, CrlfAndNulTerminateLines) {
  EXPECT_EQ(frame_all({"<13>one\r\n<13>two\0<13>three\n"s}),
            whole({"<13>one", "<13>two", "<13>three"}));
}

TEST(StreamFramer, EmptyFramesAndStrayTerminatorsAreSkipped) {
  FramerCounters counters;
  EXPECT_EQ(frame_all({"\n\n\r\n\0<13>a\n\n1 \n5 <13>b"s}, &counters), whole({"<13>a", "<13>b"}));
  EXPECT_EQ(counters.frames, 2u);
  EXPECT_EQ(counters.bad_length, 0u);
}

TEST(StreamFramer, OctetCountedFrameLosesTheTerminatorItCounted) {
  // Some senders count the LF (or CRLF) they append; the line is the same.
  EXPECT_EQ(frame_all({"9 <13>line\n10 <13>line\r\n"}), whole({"<13>line", "<13>line"}));
}

TEST(StreamFramer, DigitsWithoutASpaceStartAnLfFramedLine) {
  // An IOS line sent without PRI starts with its sequence number.
  const std::string line = "344: .Sep 21 09:22:02.684: %LINEPROTO-5-UPDOWN: Line protocol up";
  FramerCounters counters;
  EXPECT_EQ(frame_all({line + "\n" + "77\n"}, &counters), whole({line, "77"}));
  EXPECT_EQ(counters.lf_framed, 2u);
  EXPECT_EQ(counters.bad_length, 0u);
}

TEST(StreamFramer, LfFrameOfExactlyTheLimitIsWhole) {
  const std::string line = "<13>" + std::string(kMaxFrameBytes - 4, 'x');
  EXPECT_EQ(frame_all({line + "\n<13>next\n"}), whole({line, "<13>next"}));
  // The CR of a CRLF does not count towards the limit, even split off.
  EXPECT_EQ(frame_all({line + "\r", "\n<13>next\n"}), whole({line, "<13>next"}));
}

TEST(StreamFramer, LfFrameOnePastTheLimitIsCutAndTheRestSkipped) {
  const std::string line = "<13>" + std::string(kMaxFrameBytes - 3, 'x');
  const std::vector<Frame> expected = {{line.substr(0, kMaxFrameBytes), true}, {"<13>next", false}};
  FramerCounters counters;
  EXPECT_EQ(frame_all({line + "\n<13>next\n"}, &counters), expected);
  EXPECT_EQ(counters.truncated, 1u);
  // Same when the overflow is noticed before the terminator has arrived.
  EXPECT_EQ(frame_all({line, std::string(200'000, 'y'), "\n<13>next\n"}, &counters), expected);
  EXPECT_EQ(counters.truncated, 1u);
  EXPECT_EQ(counters.frames, 2u);
}

TEST(StreamFramer, OctetFrameOfExactlyTheLimitIsWhole) {
  const std::string line = "<13>" + std::string(kMaxFrameBytes - 4, 'x');
  EXPECT_EQ(frame_all({octet_frame(line) + "8 <13>next"}), whole({line, "<13>next"}));
}

TEST(StreamFramer, OctetFrameOnePastTheLimitIsCutAndSkippedByCount) {
  // The skipped tail is the LF the sender counted: skipping by count must not
  // mistake it for the end of the next frame.
  const std::string line = "<13>" + std::string(kMaxFrameBytes - 4, 'x') + "\n";
  const std::vector<Frame> expected = {{line.substr(0, kMaxFrameBytes), true}, {"<13>next", false}};
  FramerCounters counters;
  EXPECT_EQ(frame_all({octet_frame(line) + "8 <13>next"}, &counters), expected);
  EXPECT_EQ(counters.truncated, 1u);
  EXPECT_EQ(counters.octet_counted, 2u);
}

TEST(StreamFramer, LargestBelievableCountIsSkippedByCount) {
  const std::string body = std::string(kMaxStatedOctets, 'z');
  const std::string stream = std::to_string(kMaxStatedOctets) + " " + body + "8 <13>next";
  FramerCounters counters;
  const auto frames = frame_all({stream.substr(0, 70'000), stream.substr(70'000)}, &counters);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text.size(), kMaxFrameBytes);
  EXPECT_TRUE(frames[0].truncated);
  EXPECT_EQ(frames[1], (Frame{"<13>next", false}));
  EXPECT_EQ(counters.bad_length, 0u);
}

TEST(StreamFramer, BadCountsAreCountedAndResyncAtTheNextLine) {
  const std::string too_big = std::to_string(kMaxStatedOctets + 1) + " <13>junk\n";
  const std::string too_long = std::string(kMaxOctetCountDigits + 1, '1') + " <13>junk\n";
  const std::string longest_count = std::string(kMaxOctetCountDigits - 1, '0') + "8 <13>good";
  const std::string zero = "0 <13>junk\n";
  FramerCounters counters;
  EXPECT_EQ(frame_all({too_big + too_long + zero + longest_count + "<13>after\n"}, &counters),
            whole({"<13>good", "<13>after"}));
  EXPECT_EQ(counters.bad_length, 3u);
  EXPECT_EQ(counters.frames, 2u);
}

TEST(StreamFramer, GarbageThenRecovery) {
  // Binary junk, an oversized junk run with a bogus count inside, then good frames.
  std::string junk = "\x01\xff\xfe\x80 junk\r\n"s;
  junk += std::string(3 * kMaxFrameBytes, '\xaa') + " 99 \n";
  junk += "123456789012 \x02\x03\n";
  const std::string good = "<13>good\n" + octet_frame("<14>also good");
  FramerCounters counters;
  const auto frames = frame_all({junk + good}, &counters);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0], (Frame{"\x01\xff\xfe\x80 junk", false}));
  EXPECT_EQ(frames[1].text.size(), kMaxFrameBytes);
  EXPECT_TRUE(frames[1].truncated);
  EXPECT_EQ(frames[2], (Frame{"<13>good", false}));
  EXPECT_EQ(frames[3], (Frame{"<14>also good", false}));
  EXPECT_EQ(counters.bad_length, 1u);
  EXPECT_EQ(counters.truncated, 1u);
}

TEST(StreamFramer, PartialFramesAtEndOfStreamAreDeliveredTruncated) {
  EXPECT_EQ(frame_all({"<13>complete\n<13>half a li"}),
            (std::vector<Frame>{{"<13>complete", false}, {"<13>half a li", true}}));
  EXPECT_EQ(frame_all({"40 <13>half an octet fr"}),
            (std::vector<Frame>{{"<13>half an octet fr", true}}));
  EXPECT_EQ(frame_all({"12"}), (std::vector<Frame>{{"12", true}}));
  EXPECT_EQ(frame_all({"40 "}), std::vector<Frame>{});
  EXPECT_EQ(frame_all({"<13>complete\r\n"}), whole({"<13>complete"}));
}

TEST(StreamFramer, FinishLeavesTheFramerReadyForANewStream) {
  StreamFramer framer;
  Collector out;
  framer.feed("40 <13>cut", out.sink());
  framer.finish(out.sink());
  framer.feed("<13>fresh\n", out.sink());
  EXPECT_EQ(out.frames, (std::vector<Frame>{{"<13>cut", true}, {"<13>fresh", false}}));
  EXPECT_EQ(framer.counters().frames, 2u);
}

TEST(StripLineTerminators, RemovesOnlyTrailingTerminators) {
  EXPECT_EQ(strip_line_terminators("a\nb\r\n\0"s), "a\nb");
  EXPECT_EQ(strip_line_terminators("\n\r"), "");
  EXPECT_EQ(strip_line_terminators("plain"), "plain");
}

}  // namespace
}  // namespace regwatch::agent::syslog
