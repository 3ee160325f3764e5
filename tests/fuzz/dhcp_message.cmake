regwatch_add_fuzz_target(NAME dhcp_message_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/dhcp_message_fuzz.cpp
  LIBS regwatch_boot_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/dhcp_message
  LABELS boot)
