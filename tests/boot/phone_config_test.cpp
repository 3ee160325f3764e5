#include "agent/boot/phone_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace regwatch::agent::boot {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/boot/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<PhoneConfig> parse(std::string_view bytes) {
  return parse_phone_config(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// A .sgn header as CUCM writes it: tag 1 (version 1.0), tag 2 (header length), then signer
// records (tag 3 and on: here a signer name and an opaque signature), then the file.
std::string signed_envelope(const std::string& xml, bool consistent_length = true) {
  std::string records;
  auto record = [&records](uint8_t tag, const std::string& value) {
    records += static_cast<char>(tag);
    records += static_cast<char>(value.size() >> 8);
    records += static_cast<char>(value.size() & 0xff);
    records += value;
  };
  record(4, "CN=cucm-pub.example.com;OU=IPT;O=Example;C=US");
  record(9, std::string(128, '\x5a'));  // the signature's bytes
  const size_t length = 10 + records.size() + (consistent_length ? 0 : 7);
  std::string header = {'\x01',
                        '\x00',
                        '\x02',
                        '\x01',
                        '\x00',
                        '\x02',
                        '\x00',
                        '\x02',
                        static_cast<char>(length >> 8),
                        static_cast<char>(length & 0xff)};
  return header + records + xml;
}

TEST(PhoneConfig, SccpConfigOfCucm8) {
  const auto config = parse(read_data("SEP0017943A98BA.cnf.xml"));
  ASSERT_TRUE(config) << config.error().message;
  // Sorted by priority: the file lists priority 1 first. TVS members and the CAPF's
  // processNodeName are not the CM group.
  EXPECT_EQ(config->cm_group, (std::vector<std::string>{"10.1.1.10", "10.1.1.12"}));
  EXPECT_EQ(config->device_protocol, "SCCP");
  EXPECT_EQ(config->load_name, "SCCP41.9-4-2SR3-1S");
  EXPECT_EQ(config->security_mode, "1");
  EXPECT_FALSE(config->signed_envelope);
}

TEST(PhoneConfig, SipConfigOfCucm11) {
  const auto config = parse(read_data("SEP00562B0431C7.cnf.xml"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->cm_group, (std::vector<std::string>{"cucm-a.example.com", "cucm-b.example.com",
                                                        "cucm-c.example.com"}));
  EXPECT_EQ(config->device_protocol, "SIP");
  EXPECT_EQ(config->load_name, "sip88xx.12-8-1-0001-455");
  EXPECT_EQ(config->security_mode, "3");
}

TEST(PhoneConfig, SignedEnvelopeByItsHeaderLength) {
  const auto config = parse(signed_envelope(read_data("SEP0017943A98BA.cnf.xml")));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->signed_envelope);
  EXPECT_EQ(config->cm_group.size(), 2u);
  EXPECT_EQ(config->load_name, "SCCP41.9-4-2SR3-1S");
}

TEST(PhoneConfig, SignedEnvelopeWithAWrongLengthFallsBackToTheXml) {
  const auto config = parse(signed_envelope(read_data("SEP0017943A98BA.cnf.xml"), false));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->signed_envelope);
  EXPECT_EQ(config->cm_group.size(), 2u);
}

TEST(PhoneConfig, EnvelopeWithFourByteHeaderLength) {
  const std::string xml = "<device><deviceProtocol>SIP</deviceProtocol></device>";
  const std::string header = {'\x01', '\x00', '\x01', '\x02', '\x02', '\x00',
                              '\x04', '\x00', '\x00', '\x00', '\x0b'};
  const auto config = parse(header + xml);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->signed_envelope);
  EXPECT_EQ(config->device_protocol, "SIP");
  // Cut inside the header: not a config, and no read past the end.
  EXPECT_EQ(parse(header.substr(0, 8)).error().code, "not_a_phone_config");
}

TEST(PhoneConfig, UnknownBinaryHeaderBeforeDevice) {
  const auto config = parse(std::string("\x07\x00\x99garbage", 10) +
                            "<device><deviceProtocol>SIP</deviceProtocol></device>");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->signed_envelope);
  EXPECT_EQ(config->device_protocol, "SIP");
  EXPECT_TRUE(config->cm_group.empty());
}

TEST(PhoneConfig, EncryptedConfig) {
  std::string ciphertext(600, '\0');
  for (size_t i = 0; i < ciphertext.size(); ++i) ciphertext[i] = static_cast<char>(i * 37 + 11);
  for (char& c : ciphertext)
    if (c == '<') c = '>';
  const auto config = parse(signed_envelope(ciphertext));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "encrypted");
}

TEST(PhoneConfig, NotAPhoneConfig) {
  EXPECT_EQ(parse("").error().code, "not_a_phone_config");
  EXPECT_EQ(parse("just text").error().code, "not_a_phone_config");
  EXPECT_EQ(parse("<?xml version=\"1.0\"?><CiscoIPPhoneMenu><Title>x</Title></CiscoIPPhoneMenu>")
                .error()
                .code,
            "not_a_phone_config");
}

TEST(PhoneConfig, EntitiesCdataCommentsAndPriorityOrder) {
  const auto config = parse(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!DOCTYPE device>\n<device>"
      "<!-- <deviceProtocol>SCCP</deviceProtocol> -->"
      "<deviceProtocol><![CDATA[SIP]]></deviceProtocol>"
      "<devicePool><callManagerGroup><members>"
      "<member priority='2'><callManager><processNodeName>c&amp;m</processNodeName>"
      "</callManager></member>"
      "<member priority=\"0\"><callManager><processNodeName> a </processNodeName>"
      "</callManager></member>"
      "<member priority=\"2\"><callManager><processNodeName>d</processNodeName></callManager>"
      "</member>"
      "<member priority=\"1\"><callManager><processNodeName>b&#46;x&unknown;</processNodeName>"
      "</callManager></member>"
      "<member priority=\"3\"><callManager><processNodeName/></callManager></member>"
      "</members></callManagerGroup></devicePool>"
      "<loadInformation>a&lt;b&gt;&quot;&apos;</loadInformation></device>");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->signed_envelope);  // a byte order mark is not a signature
  EXPECT_EQ(config->device_protocol, "SIP");
  EXPECT_EQ(config->cm_group, (std::vector<std::string>{"a", "b&#46;x&unknown;", "c&m", "d"}));
  EXPECT_EQ(config->load_name, "a<b>\"'");
}

TEST(PhoneConfig, XmlDefaultRootIsRead) {
  // XMLDefault.cnf.xml's shape: <Default> as the root, the CM group, and loadInformation<N>
  // per model (not the one load a device config names).
  const auto config = parse(
      "<!-- autoregistration -->\n<Default>\n<callManagerGroup><members>"
      "<member priority=\"0\"><callManager><ports><ethernetPhonePort>2000</ethernetPhonePort>"
      "</ports><processNodeName>10.0.0.1</processNodeName></callManager></member>"
      "</members></callManagerGroup>"
      "<loadInformation115 model=\"Cisco 7941\">SCCP41.9-3-1SR4-1S</loadInformation115>"
      "</Default>\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->cm_group, (std::vector<std::string>{"10.0.0.1"}));
  EXPECT_EQ(config->load_name, "");
  // Only as the root: a <Default> inside another document is not a config.
  EXPECT_EQ(parse("<x><Default><callManagerGroup/></Default></x>").error().code,
            "not_a_phone_config");
}

TEST(PhoneConfig, CmGroupKeepsSixteen) {
  std::string xml = "<device><callManagerGroup><members>";
  for (int i = 0; i < 20; ++i)
    xml += "<member priority=\"" + std::to_string(i) + "\"><callManager><processNodeName>cm" +
           std::to_string(i) + "</processNodeName></callManager></member>";
  xml += "</members></callManagerGroup></device>";
  const auto config = parse(xml);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->cm_group.size(), 16u);
  EXPECT_EQ(config->cm_group.back(), "cm15");
}

TEST(PhoneConfig, NestingPastTheLimitEndsTheScanWithWhatWasFound) {
  std::string xml = "<device><deviceProtocol>SCCP</deviceProtocol>";
  for (int i = 0; i < 63; ++i) xml += "<a>";            // 64 deep with <device>
  xml += "<deviceSecurityMode>2</deviceSecurityMode>";  // the 65th: not read
  const auto config = parse(xml);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->device_protocol, "SCCP");
  EXPECT_EQ(config->security_mode, "");

  std::string at_limit = "<device>";
  for (int i = 0; i < 62; ++i) at_limit += "<a>";
  at_limit += "<deviceSecurityMode>2</deviceSecurityMode>";
  const auto deep = parse(at_limit);
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->security_mode, "2");
}

TEST(PhoneConfig, TruncatedFilesKeepWhatWasRead) {
  const std::string full = read_data("SEP0017943A98BA.cnf.xml");
  const size_t cut = full.find("<loadInformation>");
  ASSERT_NE(cut, std::string::npos);
  const auto config = parse(full.substr(0, cut + 5));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->cm_group.size(), 2u);
  EXPECT_EQ(config->load_name, "");
  // Every prefix parses without a crash (ASan and UBSan builds check the reads).
  for (size_t length = 0; length < full.size(); length += 7) (void)parse(full.substr(0, length));
}

TEST(PhoneConfig, OnlyTheFirstMegabyteIsRead) {
  std::string xml = "<device><deviceProtocol>SIP</deviceProtocol><x>";
  xml += std::string(kMaxConfigBytes, ' ');
  xml += "</x><loadInformation>late</loadInformation></device>";
  const auto config = parse(xml);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->device_protocol, "SIP");
  EXPECT_EQ(config->load_name, "");
}

}  // namespace
}  // namespace regwatch::agent::boot
