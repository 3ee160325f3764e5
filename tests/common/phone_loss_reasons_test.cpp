// The phone-side loss table (common/phone_loss_reasons.h): every entry is found by its own word,
// in any case and with '-' or '_', names and classes agree with CUCM's tables, and words that
// are not in the table (or only look like one) are not found.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/phone_loss_reasons.h"

namespace regwatch::domain {
namespace {

std::string transformed(std::string_view word, char (*change)(char)) {
  std::string out(word);
  for (auto& c : out) c = change(c);
  return out;
}

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char underscore(char c) {
  return c == '-' ? '_' : c;
}

TEST(PhoneLossReasons, EveryEntryIsFoundByItsWordInAnyCaseAndWithUnderscores) {
  ASSERT_FALSE(detail::kPhoneLossReasons.empty());
  for (const auto& entry : detail::kPhoneLossReasons) {
    SCOPED_TRACE(std::string(entry.word));
    EXPECT_EQ(phone_loss_reason(entry.word), &entry);
    EXPECT_EQ(phone_loss_reason(transformed(entry.word, upper)), &entry);
    EXPECT_EQ(phone_loss_reason(transformed(entry.word, lower)), &entry);
    EXPECT_EQ(phone_loss_reason(transformed(transformed(entry.word, lower), underscore)), &entry);
  }
}

TEST(PhoneLossReasons, EveryEntryIsComplete) {
  const std::set<std::string_view> classes{"network", "planned", "security",
                                           "config",  "storm",   "other"};
  std::set<std::string> words;
  for (const auto& entry : detail::kPhoneLossReasons) {
    SCOPED_TRACE(std::string(entry.word));
    EXPECT_TRUE(classes.contains(entry.reason_class)) << entry.reason_class;
    EXPECT_FALSE(entry.meaning.empty());
    // A code is only given with the catalogue's name for it.
    EXPECT_EQ(entry.code.has_value(), !entry.name.empty());
    // No two entries are the same word once case and '-'/'_' are folded.
    EXPECT_TRUE(words.insert(transformed(transformed(entry.word, lower), underscore)).second);
  }
}

TEST(PhoneLossReasons, TheWordsSeenOnTheWireMapToCucmsNamesAndClasses) {
  struct Expected {
    std::string_view word;
    std::string_view name;
    std::optional<int32_t> code;
    std::string_view reason_class;
  };
  // As real phones send them (docs/sip.md gives the captures): new firmware writes them in lower
  // case, 7900s in mixed case.
  for (const Expected& e : {
           Expected{"cm-closed-tcp", "TCPucmClosedConnection", 14, "network"},
           Expected{"reset-restart", "TCPclosedUcmInitiatedRestart", 23, "planned"},
           Expected{"Reset-Reset", "TCPclosedUcmInitiatedReset", 22, "planned"},
           Expected{"TCP-timeout", "TCPtimedOut", 10, "network"},
           Expected{"KeepaliveTO", "SCCPKeepAliveFailure", 15, "network"},
           Expected{"CM-reset-TCP", "TCPucmResetConnection", 12, "network"},
           Expected{"CM-aborted-TCP", "TCPucmAbortedConnection", 13, "network"},
           Expected{"Failback", "TCPclosedConnectHighPriorityUcm", 18, "planned"},
           Expected{"Phone-Keypad", "TCPclosedUserInitiatedReset", 20, "planned"},
           Expected{"Phone-Reg-Rej", "TCPClosedRegistrationReject", 24, "config"},
           Expected{"Device-Initiated-Reset", "", std::nullopt, "planned"},
           Expected{"Application-Requested-Destroy", "", std::nullopt, "planned"},
           Expected{"initialized", "", std::nullopt, "other"},
       }) {
    SCOPED_TRACE(std::string(e.word));
    const auto* entry = phone_loss_reason(e.word);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->name, e.name);
    EXPECT_EQ(entry->code, e.code);
    EXPECT_EQ(entry->reason_class, e.reason_class);
  }
}

TEST(PhoneLossReasons, UnknownWordsAreNotFound) {
  for (std::string_view word :
       {"", "-", "cm", "cm-closed", "cm-closed-tcp-", " cm-closed-tcp", "cmclosedtcp",
        "cm.closed.tcp", "KeepAliveTimeout", "Last=cm-closed-tcp", "TCPucmClosedConnection", "14",
        "reset restart"}) {
    SCOPED_TRACE(std::string(word));
    EXPECT_EQ(phone_loss_reason(word), nullptr);
  }
}

TEST(PhoneLossReasons, BytesOutsideAsciiLettersAreComparedAsTheyAre) {
  // Folding touches only A-Z and '_': a word with other bytes never matches by accident.
  EXPECT_EQ(phone_loss_reason("cm-closed-tc\xd0"), nullptr);
  EXPECT_EQ(phone_loss_reason(std::string_view("cm-closed-tcp\0", 14)), nullptr);
}

// docs/sip.md's table cannot drift from the code: one row per entry, with its name, code and
// class, and no row the code does not have.
TEST(PhoneLossReasons, DocsSipMdListsEveryEntryAsTheCodeHasIt) {
  std::ifstream doc(std::string(REGWATCH_TEST_DATA_DIR) + "/../../docs/sip.md");
  ASSERT_TRUE(doc.good());
  std::string line;
  size_t rows = 0;
  while (std::getline(doc, line)) {
    if (!line.starts_with("| `")) continue;
    // | `word` | phone's number | name (code) or - | class | meaning | sources |
    std::vector<std::string> cells;
    std::stringstream in(line.substr(1));
    for (std::string cell; std::getline(in, cell, '|');) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (cells.size() < 6 || cells[0].size() < 3) continue;
    const std::string word = cells[0].substr(1, cells[0].size() - 2);
    const auto* entry = phone_loss_reason(word);
    if (!entry) continue;  // another table of the page (config keys, events)
    ++rows;
    SCOPED_TRACE(line);
    EXPECT_EQ(word, entry->word);
    const std::string cucm =
        entry->name.empty() ? "-"
                            : std::string(entry->name) + " (" + std::to_string(*entry->code) + ")";
    EXPECT_EQ(cells[2], cucm);
    EXPECT_EQ(cells[3], entry->reason_class);
  }
  EXPECT_EQ(rows, detail::kPhoneLossReasons.size());
}

}  // namespace
}  // namespace regwatch::domain
