// `regwatch explain`'s boot chain (issue 22) from synthetic boot events: the stage and since
// when, the last lease, the files with their counts, the stall's rule and remediation in one
// sentence, the chain reset by a registration, and the diagnosis around it (reason, next steps,
// JSON). The correlation side: tests/correlate/boot_stall_test.cpp.
#include "collector/query/boot_chain.h"

#include <gtest/gtest.h>

#include "collector/correlate/correlator.h"
#include "collector/query/phone_diagnosis.h"
#include "common/boot_rules.h"
#include "common/reports/explain_report.h"

namespace regwatch::collector::query {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'796'547'600 * kSecond;  // 2026-12-06T09:00:00Z
const std::string kPhone = "SEP0017943A98BA";
const std::string kConfig = kPhone + ".cnf.xml.sgn";

class Timeline {
 public:
  v1::Event& add(v1::EventKind kind, int64_t t) {
    auto* stored = list_.add_events();
    stored->set_id(list_.events_size());
    auto* e = stored->mutable_event();
    e->set_kind(kind);
    e->set_event_time_us(t);
    e->set_source(v1::SOURCE_BOOT);
    e->set_origin("agent-1");
    return *e;
  }
  void lease(int64_t t) {
    auto& d = *add(v1::DHCP_LEASE, t).mutable_dhcp();
    d.set_device_name(kPhone);
    d.set_leased_ip("10.88.3.17");
    d.set_server("10.1.1.1");
    d.add_tftp_servers("10.1.1.5");
    d.add_tftp_servers("10.1.1.6");
  }
  void file(v1::EventKind kind, const std::string& name, const std::string& file_kind, int64_t t,
            const std::string& failure = "") {
    auto& f = *add(kind, t).mutable_boot_file();
    f.set_device_name(kPhone);
    f.set_file(name);
    f.set_file_kind(file_kind);
    f.set_server("10.1.1.5");
    f.set_protocol("tftp");
    f.set_failure(failure);
  }
  void stalled(const std::string& rule, int64_t since, int64_t t) {
    v1::Event& e = add(v1::BOOT_STALLED, t);
    auto& p = *e.mutable_phone();
    p.set_device_name(kPhone);
    auto& b = *p.mutable_boot();
    b.set_rule(rule);
    b.set_stage(std::string(domain::boot_stage_name(domain::find_boot_rule(rule)->stage)));
    b.set_stage_since_us(since);
    b.set_tftp_server("10.1.1.5");
    b.set_file(kConfig);
    b.set_fetches(6);
  }
  void registered(int64_t t) {
    v1::Event& e = add(v1::PHONE_REGISTERED, t);
    e.set_source(v1::SOURCE_SYSLOG);
    e.mutable_phone()->set_device_name(kPhone);
    e.mutable_phone()->set_cm_node("ucm-sub1");
  }
  const v1::EventList& list() const { return list_; }
  v1::Event& last() { return *list_.mutable_events()->rbegin()->mutable_event(); }

 private:
  v1::EventList list_;
};

// The seed 001 story: leased, trust lists, then the signed config six times, never registered.
Timeline config_loop() {
  Timeline t;
  t.registered(kT0 - 3600 * kSecond);  // before the ITL change: an older boot
  t.lease(kT0);
  t.file(v1::BOOT_FILE_FAILED, "CTLSEP0017943A98BA.tlv", "ctl", kT0 + 1 * kSecond, "not_found");
  t.file(v1::BOOT_FILE_FETCHED, "ITLSEP0017943A98BA.tlv", "itl", kT0 + 2 * kSecond);
  for (int k = 0; k < 6; ++k)
    t.file(v1::BOOT_FILE_FETCHED, kConfig, "config_signed", kT0 + (60 + 120 * k) * kSecond);
  t.stalled("config_loop", kT0 + 60 * kSecond, kT0 + 420 * kSecond);
  return t;
}

TEST(BootChain, NoBootEventsNoChain) {
  Timeline t;
  t.registered(kT0);
  EXPECT_FALSE(boot_chain_of(t.list(), kT0 + kSecond).has_value());
}

TEST(BootChain, AConfigLoopSaysWhereForHowLongAndWhatToDo) {
  const auto chain = boot_chain_of(config_loop().list(), kT0 + 900 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->stage(), "config");
  EXPECT_EQ(chain->stage_since_us(), kT0 + 60 * kSecond);
  EXPECT_FALSE(chain->registered());
  EXPECT_EQ(chain->leased_ip(), "10.88.3.17");
  ASSERT_EQ(chain->tftp_servers_size(), 2);
  EXPECT_EQ(chain->tftp_servers(0), "10.1.1.5");
  ASSERT_EQ(chain->files_size(), 3);
  EXPECT_EQ(chain->files(0).file(), "CTLSEP0017943A98BA.tlv");
  EXPECT_EQ(chain->files(0).failed(), 1u);
  EXPECT_EQ(chain->files(0).last_failure(), "not_found");
  EXPECT_EQ(chain->files(2).file(), kConfig);
  EXPECT_EQ(chain->files(2).fetched(), 6u);
  EXPECT_EQ(chain->rule(), "config_loop");
  const domain::BootRule& rule = *domain::find_boot_rule("config_loop");
  EXPECT_EQ(chain->remediation(), rule.remediation);
  EXPECT_EQ(chain->summary(),
            "stuck at config download from 10.1.1.5 for 14 min: " + kConfig +
                " fetched 6 times, never registered: " + std::string(rule.remediation));
}

TEST(BootChain, ARegistrationEndsTheChainAndANewBootStartsAnother) {
  Timeline t = config_loop();
  t.registered(kT0 + 1000 * kSecond);  // the ITL erased: it got through
  auto chain = boot_chain_of(t.list(), kT0 + 1100 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->registered());
  EXPECT_EQ(chain->stage(), "registration");
  EXPECT_TRUE(chain->rule().empty());
  EXPECT_EQ(chain->summary(), "booted and registered: lease 10.88.3.17, 7 files fetched");
  // It boots again and asks for its trust list: a new chain, counted from zero.
  t.lease(kT0 + 2000 * kSecond);
  t.file(v1::BOOT_FILE_FETCHED, "ITLSEP0017943A98BA.tlv", "itl", kT0 + 2001 * kSecond);
  chain = boot_chain_of(t.list(), kT0 + 2031 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_FALSE(chain->registered());
  EXPECT_EQ(chain->stage(), "trust_list");
  ASSERT_EQ(chain->files_size(), 1);
  EXPECT_EQ(chain->files(0).fetched(), 1u);
  EXPECT_EQ(chain->summary(), "at trust list download for 31 s, not registered yet");
}

TEST(BootChain, ARenewalOfARegisteredPhoneIsNoNewBoot) {
  Timeline t = config_loop();
  t.registered(kT0 + 1000 * kSecond);
  t.lease(kT0 + 5000 * kSecond);  // T1: renewing from its address
  t.last().mutable_dhcp()->set_renewal(true);
  const auto chain = boot_chain_of(t.list(), kT0 + 9000 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->registered());
  EXPECT_EQ(chain->stage(), "registration");
}

TEST(BootChain, ANewLeaseIsANewBootWithTheDhcpTroubleBeforeIt) {
  Timeline t = config_loop();
  auto& nak = *t.add(v1::DHCP_NAK, kT0 + 1000 * kSecond).mutable_dhcp();
  nak.set_device_name(kPhone);
  nak.set_requested_ip("10.88.3.17");
  nak.set_server("10.1.1.1");
  t.lease(kT0 + 1001 * kSecond);  // it rebooted
  t.file(v1::BOOT_FILE_FETCHED, kConfig, "config_signed", kT0 + 1002 * kSecond);
  const auto chain = boot_chain_of(t.list(), kT0 + 1062 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->rule().empty());  // not (yet) stalled in this boot
  EXPECT_EQ(chain->stage(), "config");
  ASSERT_EQ(chain->files_size(), 1);
  EXPECT_EQ(chain->files(0).fetched(), 1u);
  ASSERT_EQ(chain->problems_size(), 1);
  EXPECT_EQ(chain->problems(0), "DHCP NAK of 10.88.3.17 from 10.1.1.1");
  EXPECT_EQ(chain->summary(), "at config download for 60 s, not registered yet");
}

TEST(BootChain, ANotProvisionedPhoneIsStuckOnTheConfigItDidNotGet) {
  Timeline t;
  t.lease(kT0);
  t.file(v1::BOOT_FILE_FETCHED, "ITLSEP0017943A98BA.tlv", "itl", kT0 + kSecond);
  t.file(v1::BOOT_FILE_FAILED, kPhone + ".cnf.xml", "config", kT0 + 2 * kSecond, "not_found");
  t.file(v1::BOOT_FILE_FETCHED, "XMLDefault.cnf.xml", "default_config", kT0 + 3 * kSecond);
  t.stalled("not_provisioned", kT0 + 2 * kSecond, kT0 + 3 * kSecond);
  t.last().mutable_phone()->mutable_boot()->set_file("ITLSEP0017943A98BA.tlv");  // no loop
  t.last().mutable_phone()->mutable_boot()->set_fetches(1);
  const auto chain = boot_chain_of(t.list(), kT0 + 300 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->rule(), "not_provisioned");
  EXPECT_EQ(chain->summary(),
            "stuck at config download from 10.1.1.5 for 4 min: " + kPhone +
                ".cnf.xml failed once (not_found), never registered: " +
                std::string(domain::find_boot_rule("not_provisioned")->remediation));
}

TEST(BootChain, DhcpTroubleIsListed) {
  Timeline t;
  auto& nak = *t.add(v1::DHCP_NAK, kT0).mutable_dhcp();
  nak.set_device_name(kPhone);
  nak.set_requested_ip("10.9.9.9");
  nak.set_server("10.1.1.1");
  auto& bare = *t.add(v1::DHCP_NO_TFTP_OPTION, kT0 + kSecond).mutable_dhcp();
  bare.set_device_name(kPhone);
  bare.set_leased_ip("10.88.3.17");
  bare.set_server("10.1.1.1");
  const auto chain = boot_chain_of(t.list(), kT0 + 2 * kSecond);
  ASSERT_TRUE(chain.has_value());
  ASSERT_EQ(chain->problems_size(), 2);
  EXPECT_EQ(chain->problems(0), "DHCP NAK of 10.9.9.9 from 10.1.1.1");
  EXPECT_NE(chain->problems(1).find("without a TFTP server"), std::string::npos);
  EXPECT_TRUE(chain->tftp_servers().empty());
}

TEST(BootChain, ASpoofedStallIsNotBelieved) {
  Timeline t;
  t.lease(kT0);
  t.stalled("config_loop", kT0, kT0 + 300 * kSecond);
  t.last().mutable_provenance()->set_spoofed(true);  // a listed origin from another address
  const auto chain = boot_chain_of(t.list(), kT0 + 400 * kSecond);
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->rule().empty());
}

TEST(BootChainDiagnosis, ExplainOfALoopingPhoneLeadsWithItsRule) {
  const correlate::DropRule rule(correlate::CorrelationSettings{}.merge_s);
  const Timeline t = config_loop();
  const auto d = diagnose(kPhone, kT0 + 900 * kSecond, t.list(), {}, {}, rule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_UNREGISTERED);
  EXPECT_EQ(d.reason().name(), "config_loop");
  EXPECT_EQ(d.reason().reason_class(), "security");
  ASSERT_TRUE(d.has_boot_chain());
  EXPECT_EQ(d.boot_chain().rule(), "config_loop");
  ASSERT_GE(d.next_steps_size(), 1);
  EXPECT_EQ(d.next_steps(0), "stuck at config download (config_loop): " +
                                 std::string(domain::find_boot_rule("config_loop")->remediation));
  const auto json = reports::diagnosis_json(d);
  ASSERT_TRUE(json["boot_chain"].is_object());
  EXPECT_EQ(json["boot_chain"]["rule"], "config_loop");
  EXPECT_EQ(json["boot_chain"]["lease"]["tftp_servers"][0], "10.1.1.5");
  EXPECT_EQ(json["boot_chain"]["files"][2]["fetched"], 6);
  EXPECT_EQ(json["boot_chain"]["stage_since"], "2026-12-06T09:01:00.000Z");
}

TEST(BootChainDiagnosis, APhoneWithoutBootEventsHasANullChain) {
  const correlate::DropRule rule(120);
  Timeline t;
  t.registered(kT0);
  const auto d = diagnose(kPhone, kT0 + kSecond, t.list(), {}, {}, rule);
  EXPECT_FALSE(d.has_boot_chain());
  EXPECT_TRUE(reports::diagnosis_json(d)["boot_chain"].is_null());
}

}  // namespace
}  // namespace regwatch::collector::query
