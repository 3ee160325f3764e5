regwatch_add_fuzz_target(NAME sccp_decoder_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/sccp_decoder_fuzz.cpp
  LIBS regwatch_sccp
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sccp_decoder
  LABELS sccp)
