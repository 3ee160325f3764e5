# regwatch_syslog_transport: the agent's syslog sockets (UDP, TCP with RFC 6587
# framing) feeding complete lines to a sink. No parsing: see parser.cmake.
add_library(regwatch_syslog_transport STATIC
  ${CMAKE_CURRENT_LIST_DIR}/stream_framer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/socket_binding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/udp_receiver.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp_connection_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/datagram_queue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/udp_intake.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp_connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/syslog_listener.cpp)
target_include_directories(regwatch_syslog_transport PUBLIC ${PROJECT_SOURCE_DIR})
find_package(Threads REQUIRED)
target_link_libraries(regwatch_syslog_transport
  PUBLIC regwatch_common Threads::Threads
  PRIVATE regwatch_warnings)
