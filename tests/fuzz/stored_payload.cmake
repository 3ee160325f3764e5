regwatch_add_fuzz_target(NAME stored_payload_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/stored_payload_fuzz.cpp
  LIBS regwatch_store
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/stored_payload
  LABELS store)
