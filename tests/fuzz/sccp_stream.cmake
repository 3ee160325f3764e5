regwatch_add_fuzz_target(NAME sccp_stream_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/sccp_stream_fuzz.cpp
  LIBS regwatch_sccp
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sccp_stream
  LABELS sccp)
