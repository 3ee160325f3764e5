regwatch_add_fuzz_target(NAME stored_event_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/stored_event_fuzz.cpp
  LIBS regwatch_spool
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/stored_event
  LABELS spool)
