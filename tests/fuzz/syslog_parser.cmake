regwatch_add_fuzz_target(NAME syslog_parser_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/syslog_parser_fuzz.cpp
  LIBS regwatch_syslog_parser
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/syslog_parser
  LABELS syslog)
