regwatch_add_fuzz_target(NAME agent_config_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/agent_config_fuzz.cpp
  LIBS regwatch_agent_lib
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/agent_config
  LABELS agent
  RUNS 20000)  # about 600 inputs/s: each is a file read and a whole config checked
