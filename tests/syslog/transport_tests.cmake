# Tests of regwatch_syslog_transport: the pure framer and TCP connection policy
# (unit), the TCP server on loopback with test-driven time, and the listener
# on real loopback sockets fed by util-linux logger (integration).
regwatch_add_gtest(NAME syslog_framer_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/stream_framer_test.cpp
  LIBS regwatch_syslog_transport
  LABELS "unit;syslog")
regwatch_add_gtest(NAME syslog_listener_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/syslog_listener_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/syslog_listener_limits_test.cpp
  LIBS regwatch_syslog_transport
  LABELS "integration;syslog")
regwatch_add_gtest(NAME syslog_tcp_policy_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tcp_connection_policy_test.cpp
  LIBS regwatch_syslog_transport
  LABELS "unit;syslog")
regwatch_add_gtest(NAME syslog_tcp_server_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tcp_server_test.cpp
  LIBS regwatch_syslog_transport
  LABELS "integration;syslog")
regwatch_add_gtest(NAME syslog_datagram_queue_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/datagram_queue_test.cpp
  LIBS regwatch_syslog_transport
  LABELS "unit;syslog")
