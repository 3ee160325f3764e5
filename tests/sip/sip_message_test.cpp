#include "agent/sip/sip_message.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace regwatch::agent::sip {
namespace {

std::span<const uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

Result<SipMessage> parse(std::string_view text) {
  return parse_sip_message(bytes_of(text));
}

std::string error_of(std::string_view text) {
  const auto message = parse(text);
  return message ? "parsed" : message.error().code;
}

// A Cisco 8845's first REGISTER after a restart, as FACTS.md section 9 describes it.
constexpr std::string_view kCiscoRegister =
    "REGISTER sip:10.1.1.1 SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 10.1.1.5:51302;branch=z9hG4bK4d1e2f;received=10.9.9.9;rport=40000\r\n"
    "From: <sip:1001@10.1.1.1>;tag=00112233aa\r\n"
    "To: <sip:1001@10.1.1.1>\r\n"
    "Call-ID: 00112233-44aa0002-1@10.1.1.5\r\n"
    "Max-Forwards: 70\r\n"
    "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n"
    "CSeq: 101 REGISTER\r\n"
    "User-Agent: Cisco-CP8845/14.2.1\r\n"
    "Contact: <sip:9e1b6c8a-0d4f-4c1c-8a3e-0011223344aa@10.1.1.5:5060;transport=tcp>;"
    "+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-0011223344aa>\";"
    "+u.sip!devicename.ccm.cisco.com=\"SEP0011223344AA\";"
    "+u.sip!model.ccm.cisco.com=\"36213\";video\r\n"
    "Supported: "
    "replaces,join,sdp-anat,norefersub,resource-priority,extended-refer,X-cisco-callinfo\r\n"
    "Reason: SIP;cause=200;text=\"cisco-alarm:25 Name=SEP0011223344AA "
    "Load=sip88xx.14-2-1-0001-14 Last=cm-closed-tcp\"\r\n"
    "Expires: 3600\r\n"
    "Content-Type: multipart/mixed; boundary=uniqueBoundary\r\n"
    "Mime-Version: 1.0\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "body";

TEST(SipMessage, CiscoRegisterEveryField) {
  const auto message = parse(kCiscoRegister);
  ASSERT_TRUE(message.ok()) << message.error().code;
  EXPECT_TRUE(message->request);
  EXPECT_EQ(message->method, "REGISTER");
  EXPECT_EQ(message->request_uri, "sip:10.1.1.1");
  EXPECT_EQ(message->status, 0);
  EXPECT_EQ(message->call_id, "00112233-44aa0002-1@10.1.1.5");
  EXPECT_EQ(message->cseq, 101u);
  EXPECT_EQ(message->cseq_method, "REGISTER");
  EXPECT_EQ(message->from.scheme, "sip");
  EXPECT_EQ(message->from.user, "1001");
  EXPECT_EQ(message->from.host, "10.1.1.1");
  EXPECT_EQ(message->to.user, "1001");
  EXPECT_EQ(message->to_tag, "");
  EXPECT_TRUE(message->has_contact);
  EXPECT_FALSE(message->contact_star);
  EXPECT_EQ(message->contact.user, "9e1b6c8a-0d4f-4c1c-8a3e-0011223344aa");
  EXPECT_EQ(message->contact.host, "10.1.1.5");
  EXPECT_EQ(message->contact.port, 5060);
  EXPECT_EQ(message->contact.transport, "tcp");
  EXPECT_FALSE(message->contact_expires.has_value());
  EXPECT_EQ(message->device_name, "SEP0011223344AA");
  EXPECT_EQ(message->instance_mac, "00:11:22:33:44:aa");
  EXPECT_EQ(message->model, "36213");
  EXPECT_EQ(message->expires, 3600u);
  EXPECT_EQ(message->user_agent, "Cisco-CP8845/14.2.1");
  ASSERT_EQ(message->via_hosts.size(), 1u);
  EXPECT_EQ(message->via_hosts[0], "10.1.1.5");  // the sent-by, not received=
  EXPECT_EQ(message->via_transport, "TCP");
  EXPECT_FALSE(message->has_authorization);
  EXPECT_EQ(message->reason,
            "SIP;cause=200;text=\"cisco-alarm:25 Name=SEP0011223344AA "
            "Load=sip88xx.14-2-1-0001-14 Last=cm-closed-tcp\"");
  ASSERT_TRUE(message->cisco_alarm.has_value());
  EXPECT_EQ(message->cisco_alarm->alarm, 25u);
  EXPECT_EQ(message->cisco_alarm->device_name, "SEP0011223344AA");
  EXPECT_EQ(message->cisco_alarm->load, "sip88xx.14-2-1-0001-14");
  EXPECT_EQ(message->cisco_alarm->last, "cm-closed-tcp");
  EXPECT_EQ(message->content_type, "multipart/mixed; boundary=uniqueBoundary");
  EXPECT_EQ(message->content_length, 4u);
  EXPECT_EQ(message->head_bytes, kCiscoRegister.size() - 4);
  EXPECT_EQ(message->truncated_fields, 0u);
  EXPECT_EQ(sip_device_name(*message), "SEP0011223344AA");
}

TEST(SipMessage, AnswerWithWarningsServerAndProxyVias) {
  const auto message = parse(
      "SIP/2.0 403 Forbidden\r\n"
      "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2, SIP/2.0/UDP 10.1.1.5:5060;branch=1\r\n"
      "Via: SIP/2.0/TLS [2001:db8::5]:5061;branch=z9hG4bK3\r\n"
      "From: \"Line 1\" <sip:1001@cucm.example.com>;tag=a\r\n"
      "To: <sip:1001@cucm.example.com>;tag=b-1\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 102 REGISTER\r\n"
      "Warning: 399 cucm \"Line not configured\"\r\n"
      "Warning: 370 cucm \"Insufficient bandwidth\"\r\n"
      "Server: Cisco-CUCM14.0\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error().code;
  EXPECT_FALSE(message->request);
  EXPECT_EQ(message->status, 403);
  EXPECT_EQ(message->reason_phrase, "Forbidden");
  EXPECT_EQ(message->via_hosts,
            (std::vector<std::string>{"proxy.example.com", "10.1.1.5", "2001:db8::5"}));
  EXPECT_EQ(message->via_transport, "UDP");
  EXPECT_EQ(message->from.user, "1001");
  EXPECT_EQ(message->from.host, "cucm.example.com");
  EXPECT_EQ(message->to_tag, "b-1");
  EXPECT_EQ(message->warning,
            "399 cucm \"Line not configured\"; 370 cucm \"Insufficient bandwidth\"");
  EXPECT_EQ(message->server, "Cisco-CUCM14.0");
  EXPECT_FALSE(message->has_contact);
  EXPECT_EQ(message->content_length, 0u);
}

TEST(SipMessage, CompactFormsAndAnyCase) {
  const auto message = parse(
      "SIP/2.0 200 OK\r\n"
      "v: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::9;rport=5070\r\n"
      "f: <sip:1001@cucm>;tag=1\r\n"
      "t: <sip:1001@cucm>;tag=2\r\n"
      "i: abc@host\r\n"
      "cseq: 7 REGISTER\r\n"
      "m: <sip:SEP0011223344AA@[2001:db8::1]:5060;TRANSPORT=TCP>;EXPIRES=120\r\n"
      "EXPIRES: 120\r\n"
      "c: application/sdp\r\n"
      "user-agent: x\r\n"
      "l: 0\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error().code;
  EXPECT_EQ(message->via_hosts, std::vector<std::string>{"2001:db8::1"});
  EXPECT_EQ(message->from.user, "1001");
  EXPECT_EQ(message->to_tag, "2");
  EXPECT_EQ(message->call_id, "abc@host");
  EXPECT_EQ(message->cseq, 7u);
  EXPECT_EQ(message->contact.user, "SEP0011223344AA");
  EXPECT_EQ(message->contact.host, "2001:db8::1");
  EXPECT_EQ(message->contact.port, 5060);
  EXPECT_EQ(message->contact.transport, "tcp");
  EXPECT_EQ(message->contact_expires, 120u);
  EXPECT_EQ(message->expires, 120u);
  EXPECT_EQ(message->content_type, "application/sdp");
  EXPECT_EQ(message->user_agent, "x");
  EXPECT_EQ(message->content_length, 0u);
  // No devicename parameter: the name comes from the Contact's user.
  EXPECT_EQ(message->device_name, "");
  EXPECT_EQ(sip_device_name(*message), "SEP0011223344AA");
}

TEST(SipMessage, FoldedLinesAreUnfolded) {
  const auto message = parse(
      "REGISTER sip:cucm SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.1.1.5:5060\r\n"
      "  ;branch=z9hG4bKfold\r\n"
      "Call-ID: folded\r\n"
      "CSeq: 1\r\n"
      "\tREGISTER\r\n"
      "Warning: 399 cucm\r\n"
      " \"Line not configured\"\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error().code;
  EXPECT_EQ(message->via_hosts, std::vector<std::string>{"10.1.1.5"});
  EXPECT_EQ(message->cseq, 1u);
  EXPECT_EQ(message->cseq_method, "REGISTER");
  EXPECT_EQ(message->warning, "399 cucm \"Line not configured\"");
}

TEST(SipMessage, BareLineFeedsAndStarContactAndAuthorization) {
  const auto message = parse(
      "REGISTER sips:cucm SIP/2.0\n"
      "Call-ID: lf\n"
      "CSeq: 9 REGISTER\n"
      "Contact: *\n"
      "Proxy-Authorization: Digest username=\"1001\"\n"
      "Expires: 0\n\n");
  ASSERT_TRUE(message.ok()) << message.error().code;
  EXPECT_TRUE(message->contact_star);
  EXPECT_TRUE(message->has_contact);
  EXPECT_TRUE(message->has_authorization);
  EXPECT_EQ(message->expires, 0u);
  EXPECT_FALSE(message->content_length.has_value());
}

TEST(SipMessage, FirstContactOfACommaList) {
  const auto message = parse(
      "REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"
      "Contact: \"A, B\" <sip:one@10.0.0.1>;expires=60, <sip:two@10.0.0.2>;expires=30\r\n\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->contact.user, "one");
  EXPECT_EQ(message->contact_expires, 60u);
}

TEST(SipMessage, EveryContactIsABindingAcrossListsAndLines) {
  // A registrar's 200 lists every binding of the line, in one header or several.
  const auto message = parse(
      "SIP/2.0 200 OK\r\nCall-ID: a\r\nCSeq: 2 REGISTER\r\n"
      "Contact: <sip:other@10.0.0.9>;expires=20, <sip:one@10.0.0.1>;expires=120\r\n"
      "m: <sip:stale@[2001:db8::5]:5060>\r\n\r\n");
  ASSERT_TRUE(message.ok());
  ASSERT_EQ(message->bindings.size(), 3u);
  EXPECT_EQ(message->bindings[0], (SipBinding{"other", "10.0.0.9", 20u}));
  EXPECT_EQ(message->bindings[1], (SipBinding{"one", "10.0.0.1", 120u}));
  EXPECT_EQ(message->bindings[2], (SipBinding{"stale", "2001:db8::5", std::nullopt}));
  EXPECT_EQ(message->contact.user, "other") << "the contact fields are the first's";
  EXPECT_EQ(message->contact_expires, 20u);
}

TEST(SipMessage, AddrSpecAndTelUris) {
  const auto message = parse(
      "REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"
      "From: tel:+4930123;phone-context=x\r\n"
      "To: sip:SEPAABBCCDDEEFF@cucm:5060;tag=t\r\n"
      "Contact: sip:u:secret@10.0.0.1;transport=UDP;expires=45\r\n\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->from.scheme, "tel");
  EXPECT_EQ(message->from.user, "+4930123");
  EXPECT_EQ(message->to.user, "SEPAABBCCDDEEFF");
  EXPECT_EQ(message->to.port, 5060);
  EXPECT_EQ(message->to_tag, "t");
  EXPECT_EQ(message->contact.user, "u");  // the password is not the user
  EXPECT_EQ(message->contact.transport, "udp");
  EXPECT_EQ(message->contact_expires, 45u);
  EXPECT_EQ(sip_device_name(*message), "SEPAABBCCDDEEFF");
}

TEST(SipMessage, InstanceThatIsNotACiscoMacGivesNone) {
  const auto message = parse(
      "REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"
      "Contact: <sip:x@h>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"\r\n"
      "\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->instance_mac, "");
  EXPECT_EQ(sip_device_name(*message), "");
}

TEST(SipMessage, MalformedInputsHaveNamedErrors) {
  EXPECT_EQ(error_of(""), "empty");
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "not_sip");
  EXPECT_EQ(error_of("\r\n\r\n"), "not_sip");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/3.0\r\n\r\n"), "not_sip");
  EXPECT_EQ(error_of("SIP/3.0 200 OK\r\n\r\n"), "bad_status_line");
  EXPECT_EQ(error_of("SIP/2.0 99 Low\r\nCall-ID: a\r\nCSeq: 1 A\r\n\r\n"), "bad_status_line");
  EXPECT_EQ(error_of("SIP/2.0 2000 OK\r\n\r\n"), "bad_status_line");
  EXPECT_EQ(error_of("SIP/2.0 20x OK\r\n\r\n"), "bad_status_line");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n"),
            "no_header_end");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: x REGISTER\r\n\r\n"),
            "bad_cseq");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1\r\n\r\n"), "bad_cseq");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\n\r\n"), "bad_cseq");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 99999999999 R\r\n\r\n"),
            "bad_cseq");
  EXPECT_EQ(
      error_of(
          "REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 R\r\nContent-Length: -1\r\n\r\n"),
      "bad_content_length");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 R\r\nl: 1\r\n"
                     "Content-Length: 2\r\n\r\n"),
            "bad_content_length");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n"), "missing_call_id");
  EXPECT_EQ(error_of("REGISTER sip:cucm SIP/2.0\r\nCall-ID:   \r\nCSeq: 1 REGISTER\r\n\r\n"),
            "missing_call_id");
}

TEST(SipMessage, HeadAtAndPastTheLimit) {
  const std::string start = "REGISTER sip:cucm SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n";
  std::string filler = "X-Filler: ";
  // A head of exactly kMaxSipHead bytes, blank line included, parses.
  filler.append(kMaxSipHead - start.size() - filler.size() - 4, 'x');
  const std::string at_limit = start + filler + "\r\n\r\n";
  ASSERT_EQ(at_limit.size(), kMaxSipHead);
  EXPECT_TRUE(parse(at_limit).ok());
  // One byte more and the blank line is past the limit.
  const std::string past = start + filler + "x\r\n\r\n";
  EXPECT_EQ(error_of(past), "head_too_long");
}

TEST(SipMessage, LongFieldsAreCutAndCounted) {
  const std::string long_agent(kMaxSipField + 10, 'a');
  const std::string long_call_id(kMaxSipField, 'c');
  const auto message = parse("REGISTER sip:cucm SIP/2.0\r\nCall-ID: " + long_call_id +
                             "\r\nCSeq: 1 REGISTER\r\nUser-Agent: " + long_agent + "\r\n\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->user_agent.size(), kMaxSipField);
  EXPECT_EQ(message->call_id, long_call_id);  // at the limit: kept whole
  EXPECT_EQ(message->truncated_fields, 1u);
}

TEST(SipMessage, ManyWarningsJoinUpToTheLimit) {
  std::string text = "SIP/2.0 403 Forbidden\r\nCall-ID: a\r\nCSeq: 1 REGISTER\r\n";
  for (int i = 0; i < 40; ++i) text += "Warning: 399 cucm \"Line not configured\"\r\n";
  const auto message = parse(text + "\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_LE(message->warning.size(), kMaxSipField);
  EXPECT_GT(message->truncated_fields, 0u);
}

TEST(CiscoAlarm, KeysInAnyOrderAndMissingOnes) {
  const auto alarm = parse_cisco_alarm(
      "SIP;cause=200;text=\"cisco-alarm:14 Last=reset-restart Load=sip78xx.11-5-1 "
      "Name=SEPAABBCCDDEEFF Extra=ignored\"");
  ASSERT_TRUE(alarm.has_value());
  EXPECT_EQ(alarm->alarm, 14u);
  EXPECT_EQ(alarm->device_name, "SEPAABBCCDDEEFF");
  EXPECT_EQ(alarm->load, "sip78xx.11-5-1");
  EXPECT_EQ(alarm->last, "reset-restart");

  const auto partial = parse_cisco_alarm("SIP;text=\"cisco-alarm:20 Name=SEP001122334455\"");
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->alarm, 20u);
  EXPECT_EQ(partial->device_name, "SEP001122334455");
  EXPECT_EQ(partial->load, "");
  EXPECT_EQ(partial->last, "");
}

TEST(CiscoAlarm, NotAnAlarm) {
  EXPECT_FALSE(parse_cisco_alarm("SIP;cause=200;text=\"Call completed elsewhere\""));
  EXPECT_FALSE(parse_cisco_alarm("Q.850;cause=16"));
  EXPECT_FALSE(parse_cisco_alarm("SIP;text=\"cisco-alarm:x Name=SEP001122334455\""));
  EXPECT_FALSE(parse_cisco_alarm("cisco-alarm:25 Name=SEP001122334455"));  // not in text=
  EXPECT_FALSE(parse_cisco_alarm(""));
}

TEST(SipDeviceName, FromParameterThenContactThenTo) {
  SipMessage message;
  EXPECT_EQ(sip_device_name(message), "");
  message.to.user = "sepaabbccddeeff";
  EXPECT_EQ(sip_device_name(message), "SEPAABBCCDDEEFF");
  message.contact.user = "SEP001122334455";
  EXPECT_EQ(sip_device_name(message), "SEP001122334455");
  message.device_name = "SEP0011223344AA";
  EXPECT_EQ(sip_device_name(message), "SEP0011223344AA");
  SipMessage line_user;
  line_user.contact.user = "1001";
  line_user.to.user = "1001";
  EXPECT_EQ(sip_device_name(line_user), "");
}

// A capture parses every message into one SipMessage: nothing of the one before may show
// through, whatever fields either had, and an error leaves nothing that a next parse keeps.
TEST(SipMessage, ReusedMessageIsCleared) {
  const std::string_view messages[] = {
      kCiscoRegister,
      "SIP/2.0 403 Forbidden\r\n"
      "Via: SIP/2.0/UDP proxy.example.com;branch=1, SIP/2.0/UDP 10.1.1.5:5060;branch=2\r\n"
      "From: \"Line 1\" <sip:1001@cucm.example.com>;tag=a\r\n"
      "To: <sip:1001@cucm.example.com>;tag=b-1\r\n"
      "Call-ID: c1\r\nCSeq: 102 REGISTER\r\n"
      "Warning: 399 cucm \"Line not configured\"\r\nServer: Cisco-CUCM14.0\r\n"
      "Reason: SIP;cause=200;text=\"cisco-alarm:25 Name=SEP0011223344AA Last=x\"\r\n"
      "Content-Type: application/sdp\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n",
      "OPTIONS sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContact: *\r\n\r\n",
      "REGISTER sip:x SIP/2.0\r\nCall-ID: c\r\n\r\n",  // an error: no CSeq
      "SIP/2.0 200 OK\r\nCall-ID: d\r\nCSeq: 2 REGISTER\r\n\r\n",
  };
  SipMessage reused;
  for (const std::string_view first : messages) {
    for (const std::string_view second : messages) {
      (void)parse_sip_message(bytes_of(first), reused);
      const Status status = parse_sip_message(bytes_of(second), reused);
      const auto fresh = parse(second);
      ASSERT_EQ(status.ok(), fresh.ok()) << second;
      if (fresh.ok()) {
        EXPECT_TRUE(reused == *fresh) << first << "\n then \n" << second;
      }
    }
  }
}

TEST(CiscoAlarm, NewerFirmwareNamesItsLoadActiveLoad) {
  const auto alarm = parse_cisco_alarm(
      "SIP ;cause=200;text=\"cisco-alarm:23 Name=SEPC80084AA8743 "
      "ActiveLoad=sip78xx.12-1-1-12.loads InactiveLoad=sip78xx.10-3-1-12.loads "
      "Last=reset-restart\"");
  ASSERT_TRUE(alarm.has_value());
  EXPECT_EQ(alarm->alarm, 23u);
  EXPECT_EQ(alarm->load, "sip78xx.12-1-1-12.loads");
  EXPECT_EQ(alarm->last, "reset-restart");
}

}  // namespace
}  // namespace regwatch::agent::sip
