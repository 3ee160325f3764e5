regwatch_add_fuzz_target(NAME sip_message_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/sip_message_fuzz.cpp
  LIBS regwatch_sip_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sip_message
  LABELS sip)
