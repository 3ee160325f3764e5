regwatch_add_fuzz_target(NAME collector_config_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/collector_config_fuzz.cpp
  LIBS regwatch_collector_lib
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/collector_config
  LABELS collector
  RUNS 20000)  # each input is a file read and a whole config checked
