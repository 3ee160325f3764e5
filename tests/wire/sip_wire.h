#pragma once
// Builds SIP registration messages for tests, as a Cisco SIP phone and CUCM put them on the wire
// (../shared/domain/FACTS.md section 9): a REGISTER with Cisco's Contact parameters, optionally
// with credentials and the Reason header of a restart, and the registrar's answers.
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

namespace regwatch::agent::sip::testing {

struct SipPhone {
  std::string mac = "0011223344aa";  // lower case, no separators
  std::string ip = "10.0.0.50";
  uint16_t port = 5060;
  std::string dn = "1001";
  std::string user_agent = "Cisco-CP8845/14.2.1";
  std::string transport = "UDP";
  std::string device() const {
    std::string upper = mac;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "SEP" + upper;
  }
};

struct RegisterOptions {
  uint32_t cseq = 1;
  std::string call_id = "c1";
  uint32_t expires = 3600;
  bool credentials = false;
  std::string reason;     // a Reason header's value, as sent
  std::string extra_via;  // a proxy's Via put on top: "SIP/2.0/UDP 10.0.0.99:5060"
  std::string dn;         // the line; the phone's first when empty
};

inline std::string register_message(const SipPhone& p, const RegisterOptions& o,
                                    const std::string& cm = "10.0.0.10") {
  const std::string dn = o.dn.empty() ? p.dn : o.dn;
  std::string m = "REGISTER sip:" + cm + " SIP/2.0\r\n";
  if (!o.extra_via.empty())
    m += "Via: " + o.extra_via + ";branch=z9hG4bKproxy" + o.call_id + "\r\n";
  m += "Via: SIP/2.0/" + p.transport + " " + p.ip + ":" + std::to_string(p.port) +
       ";branch=z9hG4bK" + o.call_id + std::to_string(o.cseq) + "\r\n";
  m += "From: <sip:" + dn + "@" + cm + ">;tag=" + p.mac + "\r\n";
  m += "To: <sip:" + dn + "@" + cm + ">\r\n";
  m += "Call-ID: " + o.call_id + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "CSeq: " + std::to_string(o.cseq) + " REGISTER\r\n";
  m += "User-Agent: " + p.user_agent + "\r\n";
  m += "Contact: <sip:" + p.mac + "@" + p.ip + ":" + std::to_string(p.port) +
       ";transport=" + p.transport + ">;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-" +
       p.mac + ">\";+u.sip!devicename.ccm.cisco.com=\"" + p.device() +
       "\";+u.sip!model.ccm.cisco.com=\"36213\"\r\n";
  if (o.credentials) {
    m += "Authorization: Digest username=\"" + dn +
         "\",realm=\"ccmsipline\",nonce=\"n\","
         "uri=\"sip:" +
         cm + "\",response=\"0123456789abcdef0123456789abcdef\"\r\n";
  }
  if (!o.reason.empty()) m += "Reason: " + o.reason + "\r\n";
  m += "Expires: " + std::to_string(o.expires) + "\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

struct AnswerOptions {
  std::optional<uint32_t> expires;  // the grant, as the Contact's expires and the Expires header
  std::string warning;              // a Warning header's value
};

inline std::string answer_message(int status, const std::string& phrase, const SipPhone& p,
                                  const RegisterOptions& to, const AnswerOptions& o = {},
                                  const std::string& cm = "10.0.0.10") {
  const std::string dn = to.dn.empty() ? p.dn : to.dn;
  std::string m = "SIP/2.0 " + std::to_string(status) + " " + phrase + "\r\n";
  m += "Via: SIP/2.0/" + p.transport + " " + p.ip + ":" + std::to_string(p.port) +
       ";branch=z9hG4bK" + to.call_id + std::to_string(to.cseq) + "\r\n";
  m += "From: <sip:" + dn + "@" + cm + ">;tag=" + p.mac + "\r\n";
  m += "To: <sip:" + dn + "@" + cm + ">;tag=cucm1\r\n";
  m += "Call-ID: " + to.call_id + "\r\n";
  m += "CSeq: " + std::to_string(to.cseq) + " REGISTER\r\n";
  if (status == 401) m += "WWW-Authenticate: Digest realm=\"ccmsipline\",nonce=\"n\"\r\n";
  if (o.expires) {
    m += "Contact: <sip:" + p.mac + "@" + p.ip + ":" + std::to_string(p.port) +
         ">;expires=" + std::to_string(*o.expires) + "\r\n";
    m += "Expires: " + std::to_string(*o.expires) + "\r\n";
  }
  if (!o.warning.empty()) m += "Warning: " + o.warning + "\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

}  // namespace regwatch::agent::sip::testing
