// The trap receiver against real net-snmp snmptrap / snmpinform on loopback.
#include "agent/snmp/trap_receiver.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "agent/snmp/trap_classifier.h"
#include "agent/snmp/usm_users.h"
#include "snmp_peers.h"

namespace regwatch::agent::snmp {
namespace {

const char* const kSenderEngine = "0x80001f8880c0ffee0001";
const char* const kV3 =
    "-v3 -l authPriv -u noc-traps -a SHA -A auth-secret-1 -x AES -X priv-secret-1 ";

class TrapReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TrapReceiverOptions options;
    options.endpoint = Endpoint{"127.0.0.1", testing::free_udp_port()};
    options.community = "traps-ok";
    UsmUserSpec trap_user;  // v3 TRAPs: keys localised to the sender's engine ID
    trap_user.name = "noc-traps";
    trap_user.engine_id = kSenderEngine;
    trap_user.auth_passphrase = "auth-secret-1";
    trap_user.priv_passphrase = "priv-secret-1";
    UsmUserSpec inform_user = trap_user;  // v3 INFORMs: keys localised to ours
    inform_user.engine_id.clear();
    options.users = {trap_user, inform_user};
    receiver_ = std::make_unique<TrapReceiver>(
        options,
        [this](v1::Event e) {
          std::lock_guard lock(mutex_);
          events_.push_back(std::move(e));
          cv_.notify_all();
        },
        SystemClock::instance());
    ASSERT_TRUE(receiver_->start().ok());
    address_ = options.endpoint.to_string();
  }
  void TearDown() override { receiver_->stop(); }

  int send(const std::string& args) {
    return std::system(("snmptrap -t 2 -r 0 " + args + " >/dev/null 2>&1").c_str());
  }
  v1::Event wait_event(size_t n) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(cv_.wait_for(lock, std::chrono::seconds(20), [&] { return events_.size() >= n; }));
    return events_.size() >= n ? events_[n - 1] : v1::Event();
  }

  std::unique_ptr<TrapReceiver> receiver_;
  std::string address_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<v1::Event> events_;
};

TEST_F(TrapReceiverTest, V2cLinkDownIsALinkDownEvent) {
  ASSERT_EQ(
      send("-v2c -c traps-ok " + address_ + " '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.12 i 12"),
      0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.source(), v1::SOURCE_SNMP_TRAP);
  EXPECT_EQ(e.interface().if_index(), 12u);
  EXPECT_EQ(e.origin(), "127.0.0.1");
}

TEST_F(TrapReceiverTest, V1ColdStartIsADeviceRestart) {
  ASSERT_EQ(send("-v1 -c traps-ok " + address_ + " 1.3.6.1.4.1.9.1.1348 127.0.0.9 0 0 ''"), 0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::DEVICE_RESTART);
  EXPECT_EQ(e.snmp_trap().trap_oid(), "1.3.6.1.6.3.1.1.5.1");
  EXPECT_EQ(e.snmp_trap().version(), "1");
  EXPECT_EQ(e.origin(), "127.0.0.9");  // the v1 agent-addr field
}

TEST_F(TrapReceiverTest, CucmTrapsCarryTheirCodes) {
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ +
                 " '' 1.3.6.1.4.1.9.9.156.2.0.1 1.3.6.1.4.1.9.9.156.1.10.1.0 i 3 "
                 "1.3.6.1.4.1.9.9.156.1.10.2.0 i 2"),
            0);
  auto failed = wait_event(1);
  EXPECT_EQ(failed.kind(), v1::CM_FAILED);
  EXPECT_EQ(failed.snmp_trap().cause_code(), 2);  // heartBeatStopped
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ +
                 " '' 1.3.6.1.4.1.9.9.156.2.0.3 1.3.6.1.4.1.9.9.156.1.10.4.0 u 5"),
            0);
  auto update = wait_event(2);
  EXPECT_EQ(update.kind(), v1::CCM_PHONE_STATUS_UPDATE);
  EXPECT_EQ(update.snmp_trap().count(), 5u);
}

TEST_F(TrapReceiverTest, InformsAreAcknowledged) {
  // snmpinform exits non-zero unless the receiver answers.
  ASSERT_EQ(
      std::system(("snmpinform -t 3 -r 0 -v2c -c traps-ok " + address_ +
                   " '' 1.3.6.1.4.1.9.9.156.2.0.2 1.3.6.1.4.1.9.9.156.1.10.3.0 u 3 >/dev/null 2>&1")
                      .c_str()),
      0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::CCM_PHONE_FAILED);
  EXPECT_TRUE(e.snmp_trap().inform());
  EXPECT_EQ(receiver_->stats().informs_acknowledged, 1u);
}

TEST_F(TrapReceiverTest, WrongCommunityIsDroppedAndCounted) {
  ASSERT_EQ(send("-v2c -c wrong " + address_ + " '' 1.3.6.1.6.3.1.1.5.3"), 0);
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ +
                 " '' 1.3.6.1.4.1.99999.0.1 1.3.6.1.4.1.99999.1 s 'hello, trap'"),
            0);
  auto e = wait_event(1);  // only the second one arrives
  EXPECT_EQ(e.kind(), v1::SNMP_TRAP_OTHER);
  ASSERT_EQ(e.snmp_trap().varbinds_size(), 1);
  EXPECT_EQ(e.snmp_trap().varbinds(0).value(), "hello, trap");
  EXPECT_EQ(receiver_->stats().unknown_community, 1u);
  EXPECT_EQ(receiver_->stats().accepted, 1u);
}

TEST_F(TrapReceiverTest, V3AuthPrivTrapFromAKnownEngineIsAccepted) {
  ASSERT_EQ(send(std::string(kV3) + "-e " + kSenderEngine + " " + address_ +
                 " '' 1.3.6.1.6.3.1.1.5.4 1.3.6.1.2.1.2.2.1.1.7 i 7"),
            0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::LINK_UP);
  EXPECT_EQ(e.interface().if_index(), 7u);
  EXPECT_EQ(receiver_->stats().accepted, 1u);
}

TEST_F(TrapReceiverTest, V3InformIsAcknowledgedWithOurEngine) {
  ASSERT_EQ(
      std::system(("snmpinform -t 3 -r 0 " + std::string(kV3) + address_ +
                   " '' 1.3.6.1.4.1.9.9.156.2.0.1 1.3.6.1.4.1.9.9.156.1.10.2.0 i 4 >/dev/null 2>&1")
                      .c_str()),
      0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::CM_FAILED);
  EXPECT_EQ(e.snmp_trap().version(), "3");
  EXPECT_EQ(e.snmp_trap().security_name(), "noc-traps");
  EXPECT_EQ(e.snmp_trap().cause_code(), 4);
  EXPECT_EQ(receiver_->stats().informs_acknowledged, 1u);
}

TEST_F(TrapReceiverTest, V3WithWrongPassphraseOrUnknownUserIsDroppedAndCounted) {
  const std::string wrong_auth =
      "-v3 -l authPriv -u noc-traps -a SHA -A not-the-secret -x AES -X priv-secret-1 ";
  ASSERT_EQ(send(wrong_auth + "-e " + kSenderEngine + " " + address_ + " '' 1.3.6.1.6.3.1.1.5.3"),
            0);
  const std::string stranger =
      "-v3 -l authPriv -u stranger -a SHA -A auth-secret-1 -x AES -X priv-secret-1 ";
  ASSERT_EQ(send(stranger + "-e " + kSenderEngine + " " + address_ + " '' 1.3.6.1.6.3.1.1.5.3"), 0);
  // A good trap after them: once it is in, the two before were read too.
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ + " '' 1.3.6.1.6.3.1.1.5.1"), 0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::DEVICE_RESTART);
  const auto stats = receiver_->stats();
  EXPECT_EQ(stats.unauthenticated, 1u);
  EXPECT_EQ(stats.unknown_user, 1u);
  EXPECT_EQ(stats.accepted, 1u);
}

TEST_F(TrapReceiverTest, OversizedTrapIsDroppedAndCounted) {
  std::string binds;
  for (int i = 0; i < 200; ++i)
    binds += " 1.3.6.1.4.1.99999.1." + std::to_string(i) + " i " + std::to_string(i);
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ + " '' 1.3.6.1.4.1.99999.0.1" + binds), 0);
  ASSERT_EQ(send("-v2c -c traps-ok " + address_ + " '' 1.3.6.1.6.3.1.1.5.1"), 0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::DEVICE_RESTART);
  EXPECT_EQ(receiver_->stats().oversized, 1u);
}

TEST_F(TrapReceiverTest, CiscoLinkDownNamesItsInterface) {
  // IOS sends ifIndex, ifDescr, ifType and locIfReason with linkDown.
  ASSERT_EQ(
      send("-v2c -c traps-ok " + address_ +
           " '' 1.3.6.1.6.3.1.1.5.3 1.3.6.1.2.1.2.2.1.1.10117 i 10117"
           " 1.3.6.1.2.1.2.2.1.2.10117 s GigabitEthernet2/0/17 1.3.6.1.2.1.2.2.1.3.10117 i 6"),
      0);
  auto e = wait_event(1);
  EXPECT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "GigabitEthernet2/0/17");
  EXPECT_EQ(e.interface().if_index(), 10117u);
}

TEST(UsmUsers, BadSpecsGetClearErrors) {
  UsmUserSpec spec;
  spec.name = "u";
  spec.engine_id = "0xnothex00000000";
  spec.auth_passphrase = "long-enough";
  EXPECT_NE(register_usm_user(spec).error().message.find("not hex"), std::string::npos);
  spec.engine_id = "";
  spec.auth_passphrase = "short";
  EXPECT_NE(register_usm_user(spec).error().message.find("at least 8"), std::string::npos);
  spec.auth_passphrase = "long-enough";
  spec.auth_protocol = "SHA-999";
  EXPECT_NE(register_usm_user(spec).error().message.find("unknown auth protocol"),
            std::string::npos);
  spec.auth_protocol = "";
  spec.auth_passphrase = "";
  spec.priv_passphrase = "long-enough";
  EXPECT_NE(register_usm_user(spec).error().message.find("needs authentication"),
            std::string::npos);
  EXPECT_EQ(local_engine_id_hex().rfind("0x80", 0), 0u);  // RFC 3411 format, enterprise bit set
}

TEST(TrapClassifier, V1TrapOidsFollowRfc3584) {
  EXPECT_EQ(format_oid(v1_trap_oid({1, 3, 6, 1, 4, 1, 9}, 2, 0)), "1.3.6.1.6.3.1.1.5.3");
  EXPECT_EQ(format_oid(v1_trap_oid({1, 3, 6, 1, 4, 1, 9, 9, 156, 2}, 6, 3)),
            "1.3.6.1.4.1.9.9.156.2.0.3");
  VarBind binary;
  binary.type = ValueType::kOctets;
  binary.octets = std::string("a\xff\x01", 3);
  EXPECT_EQ(varbind_text(binary), "a\\xff\\x01");
}

}  // namespace
}  // namespace regwatch::agent::snmp
