regwatch_add_fuzz_target(NAME http_head_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/http_head_fuzz.cpp
  LIBS regwatch_boot_parsers
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/http_head
  LABELS boot)
