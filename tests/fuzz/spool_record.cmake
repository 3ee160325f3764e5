regwatch_add_fuzz_target(NAME spool_record_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/spool_record_fuzz.cpp
  LIBS regwatch_spool
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/spool_record
  LABELS spool)
