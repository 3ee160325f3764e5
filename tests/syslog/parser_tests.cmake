regwatch_add_gtest(NAME syslog_parser_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/syslog_parser_test.cpp ${CMAKE_CURRENT_LIST_DIR}/syslog_classifier_test.cpp
  LIBS regwatch_syslog_parser
  LABELS "unit;syslog")

regwatch_add_gtest(NAME realworld_corpus_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/realworld_corpus_test.cpp
  LIBS regwatch_syslog_parser nlohmann_json::nlohmann_json
  LABELS "unit;syslog")
