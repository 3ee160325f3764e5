regwatch_add_gtest(NAME syslog_parser_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/syslog_parser_test.cpp ${CMAKE_CURRENT_LIST_DIR}/syslog_classifier_test.cpp
  LIBS regwatch_syslog_parser
  LABELS "unit;syslog")
