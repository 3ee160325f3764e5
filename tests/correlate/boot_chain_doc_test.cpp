// docs/boot-chain.md's table of rules against common/boot_rules.h, the one place of their words:
// every rule has its row, word for word (markdown-escaped), and no row names a rule the code lacks.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/boot_rules.h"

namespace regwatch::domain {
namespace {

std::string read_doc() {
  std::ifstream in(REGWATCH_SOURCE_DIR "/docs/boot-chain.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// As a markdown table cell shows the text: '*', '|' and '\' escaped.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '*' || c == '|' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

TEST(BootChainDoc, EveryRuleHasItsRowWordForWord) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "docs/boot-chain.md not found";
  for (const BootRule& rule : boot_rules()) {
    const std::string row = "| `" + std::string(rule.name) + "` | " +
                            std::string(boot_stage_name(rule.stage)) + " | " +
                            std::string(rule.incident_class) + " | " + cell(rule.summary) + " | " +
                            cell(rule.remediation) + " |\n";
    EXPECT_NE(doc.find(row), std::string::npos)
        << "docs/boot-chain.md lacks (or words differently) the row:\n"
        << row;
  }
}

TEST(BootChainDoc, NoRowNamesARuleTheCodeLacks) {
  const std::string doc = read_doc();
  const size_t table = doc.find("| rule | stage | class |");
  ASSERT_NE(table, std::string::npos);
  std::istringstream lines(doc.substr(table));
  std::string line;
  std::getline(lines, line);  // header
  std::getline(lines, line);  // |---|
  size_t rows = 0;
  while (std::getline(lines, line) && line.rfind("| `", 0) == 0) {
    const size_t end = line.find('`', 3);
    ASSERT_NE(end, std::string::npos) << line;
    EXPECT_NE(find_boot_rule(line.substr(3, end - 3)), nullptr) << line;
    ++rows;
  }
  EXPECT_EQ(rows, boot_rules().size());
}

}  // namespace
}  // namespace regwatch::domain
