regwatch_add_fuzz_target(NAME ack_path_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/ack_path_fuzz.cpp
  LIBS regwatch_agent_lib
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/ack_path
  LABELS agent
  RUNS 5000)  # each input opens a real spool in a temporary directory (~200 inputs/s)
