// Config downloads over HTTP (TCP 6970): a GET answered whole, a 404, a body cut short by the
// connection's end, pipelined requests matched in order, and a request never answered.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/wire/wire_capture.h"
#include "tests/sccp/sccp_wire.h"
#include "tests/wire/boot_wire.h"

namespace regwatch::agent::boot {
namespace {

using regwatch::v1::Event;
using sccp::testing::frame;
using testing::cnf_xml;
using testing::text_bytes;

constexpr int64_t kS = 1'000'000;
constexpr uint8_t kSyn = 0x02, kRst = 0x04;

class HttpDownload : public ::testing::Test {
 protected:
  HttpDownload()
      : wire_(wire::WireSettings{}, [this](Event e) { events_.push_back(std::move(e)); }) {
    EXPECT_TRUE(wire_.start().ok());
  }
  // One direction's stream position, per connection and side.
  void phone_sends(uint16_t port, const std::string& text, int64_t t, uint8_t flags = 0x18) {
    wire_.on_packet(1, t, frame({50, port}, {1, 6970}, phone_seq_, text_bytes(text), flags));
    phone_seq_ += static_cast<uint32_t>(text.size());
  }
  void server_sends(uint16_t port, const std::string& text, int64_t t, uint8_t flags = 0x18) {
    wire_.on_packet(1, t, frame({1, 6970}, {50, port}, server_seq_, text_bytes(text), flags));
    server_seq_ += static_cast<uint32_t>(text.size());
  }
  void connect(uint16_t port, int64_t t) {
    wire_.on_packet(1, t, frame({50, port}, {1, 6970}, phone_seq_++, {}, kSyn));
    wire_.on_packet(1, t, frame({1, 6970}, {50, port}, server_seq_++, {}, kSyn | 0x10));
  }
  std::vector<Event> of(regwatch::v1::EventKind kind) const {
    std::vector<Event> out;
    for (const auto& e : events_) {
      if (e.kind() == kind) out.push_back(e);
    }
    return out;
  }
  uint32_t phone_seq_ = 1000, server_seq_ = 9000;
  std::vector<Event> events_;
  wire::WireCapture wire_;
};

TEST_F(HttpDownload, AConfigAnsweredWholeIsFetchedAndRead) {
  const std::string body = cnf_xml({"10.0.0.10"}, "SIP88xx.12-8-1");
  connect(40000, 1 * kS);
  phone_sends(40000, "GET /SEP0017943A98BA.cnf.xml HTTP/1.1\r\nHost: 10.0.0.1:6970\r\n\r\n",
              1 * kS + 10);
  server_sends(40000,
               "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                   body.substr(0, 100),
               1 * kS + 2000);
  server_sends(40000, body.substr(100), 1 * kS + 3000);
  const auto fetched = of(regwatch::v1::BOOT_FILE_FETCHED);
  ASSERT_EQ(fetched.size(), 1u);
  const auto& f = fetched[0].boot_file();
  EXPECT_EQ(f.protocol(), "http");
  EXPECT_EQ(f.file(), "SEP0017943A98BA.cnf.xml");
  EXPECT_EQ(f.device_name(), "SEP0017943A98BA");
  EXPECT_EQ(f.bytes(), body.size());
  EXPECT_EQ(f.duration_ms(), 2);
  ASSERT_EQ(f.cm_group_size(), 1);
  EXPECT_EQ(f.cm_group(0), "10.0.0.10");
  EXPECT_EQ(f.load_name(), "SIP88xx.12-8-1");
}

TEST_F(HttpDownload, PipelinedRequestsAreAnsweredInOrderAnd404IsNotFound) {
  connect(40001, 1 * kS);
  phone_sends(40001,
              "GET /CTLSEP0017943A98BA.tlv HTTP/1.1\r\n\r\nGET /ITLSEP0017943A98BA.tlv "
              "HTTP/1.1\r\n\r\n",
              1 * kS);
  server_sends(40001, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", 1 * kS + 5);
  server_sends(40001, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nITL!", 1 * kS + 9);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].boot_file().file(), "CTLSEP0017943A98BA.tlv");
  EXPECT_EQ(failed[0].boot_file().failure(), "not_found");
  EXPECT_EQ(failed[0].boot_file().error_code(), 404);
  const auto fetched = of(regwatch::v1::BOOT_FILE_FETCHED);
  ASSERT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched[0].boot_file().file(), "ITLSEP0017943A98BA.tlv");
  EXPECT_EQ(fetched[0].boot_file().bytes(), 4u);
}

TEST_F(HttpDownload, ABodyCutShortByTheConnectionsEndIsTruncated) {
  connect(40002, 1 * kS);
  phone_sends(40002, "GET /SEP0017943A98BA.cnf.xml.sgn HTTP/1.1\r\n\r\n", 1 * kS);
  server_sends(40002, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nabc", 1 * kS + 5);
  server_sends(40002, "", 1 * kS + 9, kRst);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].boot_file().failure(), "truncated");
  EXPECT_EQ(failed[0].boot_file().bytes(), 3u);
}

TEST_F(HttpDownload, ARequestNeverAnsweredIsNoAnswerAfterTheTimeout) {
  connect(40003, 1 * kS);
  phone_sends(40003, "GET /SEP0017943A98BA.cnf.xml HTTP/1.1\r\n\r\n", 1 * kS);
  EXPECT_TRUE(of(regwatch::v1::BOOT_FILE_FAILED).empty());
  wire_.on_idle(12 * kS);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  // The server took the connection but never answered the request.
  EXPECT_EQ(failed[0].boot_file().failure(), "no_answer");
}

TEST_F(HttpDownload, AConnectionPipeliningMoreThanAPhoneWouldIsNoLongerFollowed) {
  connect(40004, 1 * kS);
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += "GET /SEP0017943A98BA.cnf.xml HTTP/1.1\r\n\r\n";
  phone_sends(40004, flood, 1 * kS);
  server_sends(40004, "", 1 * kS + 9, kRst);
  EXPECT_LE(of(regwatch::v1::BOOT_FILE_FAILED).size(), 16u) << "bounded, not one per request";
  EXPECT_EQ(wire_.stats().boot.anomalies.at("http_pipeline_full"), 1u);
}

}  // namespace
}  // namespace regwatch::agent::boot
