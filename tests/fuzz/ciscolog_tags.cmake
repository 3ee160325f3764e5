regwatch_add_fuzz_target(NAME ciscolog_tags_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/ciscolog_tags_fuzz.cpp
  LIBS regwatch_syslog_parser
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/ciscolog_tags
  LABELS syslog)
