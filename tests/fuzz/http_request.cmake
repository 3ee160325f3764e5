regwatch_add_fuzz_target(NAME http_request_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/http_request_fuzz.cpp
  LIBS regwatch_collector_http
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/http_request
  LABELS collector)
