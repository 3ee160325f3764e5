#include "agent/app/agent_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace regwatch::agent {
namespace {

TEST(AgentConfig, DefaultsRoundTripAndValidate) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const auto path = (dir / "agent.yaml").string();
  std::ofstream(path) << default_agent_config_yaml();
  auto loaded = load_agent_config(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const AgentConfig defaults;
  EXPECT_EQ(loaded->collector.address, defaults.collector.address);
  EXPECT_EQ(loaded->syslog.udp, "127.0.0.1:5514");
  EXPECT_EQ(loaded->spool.drop_policy, "drop_oldest");
  EXPECT_FALSE(loaded->agent_id.empty());  // filled with the host name
  EXPECT_TRUE(validate_agent_config(*loaded).ok());
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, EveryErrorIsReportedWithItsLine) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const auto path = (dir / "bad.yaml").string();
  std::ofstream(path)
      << "collector:\n  adress: x\nspool:\n  max_size: lots\n  drop_policy: random\n";
  auto loaded = load_agent_config(path);
  ASSERT_FALSE(loaded.ok());
  const auto& message = loaded.error().message;
  EXPECT_NE(message.find(":2: collector.adress: unknown key (did you mean 'address'?)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(":4: spool.max_size"), std::string::npos) << message;
  EXPECT_NE(message.find(":5: spool.drop_policy"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, ReceiveBuffersAreReadAndBounded) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const AgentConfig defaults;
  EXPECT_EQ(defaults.syslog.udp_receive_buffer_bytes, 8u * 1024 * 1024);
  EXPECT_NE(default_agent_config_yaml().find("udp_receive_buffer_bytes: 8388608"),
            std::string::npos);
  EXPECT_NE(default_agent_config_yaml().find("trap_receive_buffer_bytes: 8388608"),
            std::string::npos);
  const auto good = (dir / "good.yaml").string();
  std::ofstream(good)
      << "syslog:\n  udp_receive_buffer_bytes: 4096\nsnmp:\n  trap_receive_buffer_bytes: 65536\n";
  auto loaded = load_agent_config(good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->syslog.udp_receive_buffer_bytes, 4096u);
  EXPECT_EQ(loaded->snmp.trap_receive_buffer_bytes, 65536u);
  const auto bad = (dir / "bad.yaml").string();
  std::ofstream(bad) << "syslog:\n  udp_receive_buffer_bytes: 4095\nsnmp:\n  "
                        "trap_receive_buffer_bytes: 2000000000\n";
  auto refused = load_agent_config(bad);
  ASSERT_FALSE(refused.ok());
  const auto& message = refused.error().message;
  EXPECT_NE(message.find(":2: syslog.udp_receive_buffer_bytes: must be 4096 to"), std::string::npos)
      << message;
  EXPECT_NE(message.find(":4: snmp.trap_receive_buffer_bytes"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

// Issue 19: /metrics is off by default, read from metrics.listen, and refused in plaintext off
// loopback with the key's line.
TEST(AgentConfig, MetricsListenIsOffByDefaultAndPlaintextOnlyOnLoopback) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  EXPECT_TRUE(AgentConfig{}.metrics.listen.empty());
  const auto good = (dir / "good.yaml").string();
  std::ofstream(good) << "metrics:\n  listen: 127.0.0.1:9481\n";
  auto loaded = load_agent_config(good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->metrics.listen, "127.0.0.1:9481");
  const auto bad = (dir / "bad.yaml").string();
  std::ofstream(bad) << "log_level: info\nmetrics:\n  listen: 10.0.0.5:9481\n";
  auto refused = load_agent_config(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(":3: metrics.listen: '10.0.0.5:9481' is not a loopback"),
            std::string::npos)
      << refused.error().message;
  std::filesystem::remove_all(dir);
}

// Issue 17: the syslog TCP connection limits are read, printed with the
// defaults, and out-of-range values are reported with their line.
TEST(AgentConfig, TcpConnectionLimitsAreReadAndBounded) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const AgentConfig defaults;
  EXPECT_EQ(defaults.syslog.max_tcp_connections_per_source, 32u);
  EXPECT_EQ(defaults.syslog.tcp_first_line_timeout_s, 10u);
  EXPECT_NE(default_agent_config_yaml().find("max_tcp_connections_per_source: 32"),
            std::string::npos);
  EXPECT_NE(default_agent_config_yaml().find("tcp_first_line_timeout_s: 10"), std::string::npos);
  const auto good = (dir / "good.yaml").string();
  std::ofstream(good) << "syslog:\n  max_tcp_connections: 4096\n  max_tcp_connections_per_source: "
                         "0\n  tcp_idle_timeout_s: 5\n  tcp_first_line_timeout_s: 2\n";
  auto loaded = load_agent_config(good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->syslog.max_tcp_connections, 4096u);
  EXPECT_EQ(loaded->syslog.max_tcp_connections_per_source, 0u);
  EXPECT_EQ(loaded->syslog.tcp_idle_timeout_s, 5u);
  EXPECT_EQ(loaded->syslog.tcp_first_line_timeout_s, 2u);
  // A short idle timeout alone is fine: the default first-line timeout is then capped by it.
  const auto short_idle = (dir / "short_idle.yaml").string();
  std::ofstream(short_idle) << "syslog:\n  tcp_idle_timeout_s: 5\n";
  EXPECT_TRUE(load_agent_config(short_idle).ok());
  const auto bad = (dir / "bad.yaml").string();
  std::ofstream(bad) << "syslog:\n  max_tcp_connections: 0\n  max_tcp_connections_per_source: "
                        "5000\n  tcp_idle_timeout_s: 0\n  tcp_first_line_timeout_s: 0\n";
  auto refused = load_agent_config(bad);
  ASSERT_FALSE(refused.ok());
  const auto& message = refused.error().message;
  EXPECT_NE(message.find(":2: syslog.max_tcp_connections: must be 1 to 4096"), std::string::npos)
      << message;
  EXPECT_NE(message.find(":3: syslog.max_tcp_connections_per_source: must be 0 (no limit) to 4096"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(":4: syslog.tcp_idle_timeout_s: must be at least 1"), std::string::npos)
      << message;
  EXPECT_NE(message.find(":5: syslog.tcp_first_line_timeout_s: must be at least 1"),
            std::string::npos)
      << message;
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, UdpQueueBoundsAreReadAndBounded) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const AgentConfig defaults;
  EXPECT_EQ(defaults.syslog.udp_queue_max_datagrams, 200'000u);
  EXPECT_EQ(defaults.syslog.udp_queue_max_bytes, 128ull << 20);
  EXPECT_NE(default_agent_config_yaml().find("udp_queue_max_datagrams: 200000"), std::string::npos);
  const auto good = (dir / "good.yaml").string();
  std::ofstream(good) << "syslog:\n  udp_queue_max_datagrams: 1\n  udp_queue_max_bytes: 1048576\n";
  auto loaded = load_agent_config(good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->syslog.udp_queue_max_datagrams, 1u);
  EXPECT_EQ(loaded->syslog.udp_queue_max_bytes, 1048576u);
  const auto bad = (dir / "bad.yaml").string();
  std::ofstream(bad) << "syslog:\n  udp_queue_max_datagrams: 0\n  udp_queue_max_bytes: 1000\n";
  auto refused = load_agent_config(bad);
  ASSERT_FALSE(refused.ok());
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("syslog.udp_queue_max_datagrams: must be 1 to"), std::string::npos)
      << message;
  EXPECT_NE(message.find("syslog.udp_queue_max_bytes: must be 1048576 to"), std::string::npos)
      << message;
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, ABatchMustFitTheCollectorsMessageLimit) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const auto path = (dir / "batch.yaml").string();
  std::ofstream(path) << "collector:\n  batch_max_events: 10001\n";
  auto refused = load_agent_config(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(":2: collector.batch_max_events: must be in 1..10000"),
            std::string::npos)
      << refused.error().message;
  std::ofstream(path) << "collector:\n  batch_max_events: 10000\n";
  EXPECT_TRUE(load_agent_config(path).ok());
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, TrapUsersAreRead) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const auto path = (dir / "traps.yaml").string();
  std::ofstream(path)
      << "snmp:\n  trap_users:\n    - {user: noc, engine_id: '0x8000000903aabbcc', "
         "auth_passphrase_env: A}\n    - {auth_protocol: SHA-1, priv_protocl: AES}\n";
  auto loaded = load_agent_config(path);
  ASSERT_FALSE(loaded.ok());
  const auto& message = loaded.error().message;
  EXPECT_NE(message.find(":4: snmp.trap_users[1].user: is required"), std::string::npos) << message;
  EXPECT_NE(message.find("auth_protocol: must be SHA or MD5"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'priv_protocol'"), std::string::npos) << message;
  std::ofstream(path) << "snmp:\n  trap_users:\n    - {user: noc, engine_id: '0x8000000903aabbcc', "
                         "auth_passphrase_env: A}\n";
  unsetenv("A");  // a secret's variable must be set for the agent to start
  auto unset = load_agent_config(path);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(
      unset.error().message.find(
          ":3: snmp.trap_users[0].auth_passphrase_env: the environment variable A is not set"),
      std::string::npos)
      << unset.error().message;
  setenv("A", "trap-auth-pass", 1);
  auto good = load_agent_config(path);
  ASSERT_TRUE(good.ok()) << good.error().message;
  ASSERT_EQ(good->snmp.trap_users.size(), 1u);
  EXPECT_EQ(good->snmp.trap_users[0].engine_id, "0x8000000903aabbcc");
  EXPECT_EQ(good->snmp.trap_users[0].auth_passphrase_env, "A");
  std::filesystem::remove_all(dir);
}

TEST(AgentConfig, PlaintextOnlyToLoopback) {
  AgentConfig config;
  config.agent_id = "a";
  config.collector.address = "collector.noc.example.net:7443";
  auto checked = validate_agent_config(config);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("tls"), std::string::npos);
  config.collector.tls = true;
  EXPECT_TRUE(validate_agent_config(config).ok());
  EXPECT_EQ(*parse_utc_offset_minutes("-05:30"), -330);
  EXPECT_FALSE(parse_utc_offset_minutes("+5").ok());
}

}  // namespace
}  // namespace regwatch::agent
