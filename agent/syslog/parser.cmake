add_library(regwatch_syslog_parser STATIC
  ${CMAKE_CURRENT_LIST_DIR}/syslog_timestamp.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ciscolog_tags.cpp
  ${CMAKE_CURRENT_LIST_DIR}/syslog_header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/phone_trust_lines.cpp
  ${CMAKE_CURRENT_LIST_DIR}/interface_names.cpp
  ${CMAKE_CURRENT_LIST_DIR}/switch_cpu_lines.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cucm_service_alarms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_classifier.cpp
  ${CMAKE_CURRENT_LIST_DIR}/syslog_parser.cpp)
target_include_directories(regwatch_syslog_parser PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(regwatch_syslog_parser PUBLIC regwatch_common PRIVATE regwatch_warnings)
