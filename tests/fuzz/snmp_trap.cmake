regwatch_add_fuzz_target(NAME snmp_trap_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/snmp_trap_fuzz.cpp
  LIBS regwatch_snmp_client
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/snmp_trap
  LABELS snmp)
