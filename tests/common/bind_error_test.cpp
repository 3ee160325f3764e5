// The one rule that turns a failed bind into words (common/bind_error.h), and a real bind.
#include "common/bind_error.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace regwatch {
namespace {

constexpr const char* kNeedsRight =
    "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE";

TEST(BindErrorTest, PermissionDeniedBelow1024NamesTheRight) {
  EXPECT_EQ(bind_error_text(EACCES, 162), kNeedsRight);
  EXPECT_EQ(bind_error_text(EACCES, 514), kNeedsRight);
  EXPECT_EQ(bind_error_text(EACCES, 1023), kNeedsRight);
  // At 1024 and above the capability is not the reason (an LSM, say): plain words.
  EXPECT_EQ(bind_error_text(EACCES, 1024), "permission denied");
  // A host that lowered net.ipv4.ip_unprivileged_port_start says its own bound.
  EXPECT_EQ(bind_error_text(EACCES, 80, 100),
            "permission denied: ports below 100 need root or CAP_NET_BIND_SERVICE");
  EXPECT_EQ(bind_error_text(EACCES, 162, 0), "permission denied");
}

TEST(BindErrorTest, InUseAndForeignAddressSayWhatToCheck) {
  EXPECT_EQ(bind_error_text(EADDRINUSE, 162), "address in use (another process listens there?)");
  EXPECT_EQ(bind_error_text(EADDRNOTAVAIL, 5514), "not an address of this host");
  EXPECT_EQ(bind_error_text(EINVAL, 5514), "Invalid argument");
}

TEST(BindErrorTest, PreCheckRefusesOnlyLowPortsWithoutTheCapability) {
  EXPECT_EQ(privileged_port_refusal(162, false, 1024), kNeedsRight);
  EXPECT_FALSE(privileged_port_refusal(162, true, 1024));
  EXPECT_FALSE(privileged_port_refusal(1024, false, 1024));
  EXPECT_FALSE(privileged_port_refusal(0, false, 1024));  // any free port: never privileged
  EXPECT_FALSE(privileged_port_refusal(162, false, 0));
}

TEST(BindErrorTest, ReadsCapEffFromProcStatus) {
  const std::string root =
      "Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
  const std::string dropped = "CapPrm:\t0000000000000400\nCapEff:\t0000000000000000\n";
  const std::string only_bind = "CapEff:\t0000000000000400\n";
  EXPECT_TRUE(effective_capability(root, 10));
  EXPECT_FALSE(effective_capability(dropped, 10));  // permitted, not effective: no right
  EXPECT_TRUE(effective_capability(only_bind, 10));
  EXPECT_FALSE(effective_capability(only_bind, 11));
  EXPECT_FALSE(effective_capability("Name:\tx\n", 10));
  EXPECT_FALSE(effective_capability("XCapEff:\tffff\n", 10));
}

TEST(BindErrorTest, ThisProcessPortsAboveTheBoundAreNeverRefused) {
  EXPECT_FALSE(privileged_port_refusal(5514));
  EXPECT_FALSE(privileged_port_refusal(0));
}

TEST(BindErrorTest, ARealBindOfAPortInUseIsWordedAsInUse) {
  const int first = socket(AF_INET, SOCK_DGRAM, 0);
  const int second = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(first, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(first, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_NE(bind(second, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(bind_error_text(errno, ntohs(address.sin_port)),
            "address in use (another process listens there?)");
  close(first);
  close(second);
}

}  // namespace
}  // namespace regwatch
