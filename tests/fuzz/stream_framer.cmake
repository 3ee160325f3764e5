regwatch_add_fuzz_target(NAME stream_framer_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/stream_framer_fuzz.cpp
  LIBS regwatch_syslog_transport
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/stream_framer
  LABELS syslog)
