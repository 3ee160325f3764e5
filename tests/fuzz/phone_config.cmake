regwatch_add_fuzz_target(NAME phone_config_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/phone_config_fuzz.cpp
  LIBS regwatch_boot_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/phone_config
  LABELS boot)
