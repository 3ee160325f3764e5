regwatch_add_fuzz_target(NAME sip_stream_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/sip_stream_fuzz.cpp
  LIBS regwatch_sip_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sip_stream
  LABELS sip)
