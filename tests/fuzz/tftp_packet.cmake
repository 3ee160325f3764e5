regwatch_add_fuzz_target(NAME tftp_packet_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/tftp_packet_fuzz.cpp
  LIBS regwatch_boot_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/tftp_packet
  LABELS boot)
