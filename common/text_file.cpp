#include "common/text_file.h"

#include <fstream>
#include <sstream>

namespace regwatch {

Result<std::string> read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return make_error("unreadable", std::string("cannot read ") + what + " " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<std::string> read_pem_file(const std::string& path, const char* what) {
  auto text = read_text_file(path, what);
  if (text.ok() && text->find("-----BEGIN") == std::string::npos) {
    return make_error("not_pem", std::string(what) + " " + path + " is not a PEM file");
  }
  return text;
}

}  // namespace regwatch
