// The diagnosis accuracy of the labelled corpus (issue 16) as a regression guard: the same
// corpus and scoring as bench/diagnosis_accuracy, its report printed, failing when a figure
// falls below what was measured when the corpus was made (docs/performance.md, "Diagnosis
// accuracy"). Raise the floors when the correlator gets better; the goal is every figure at
// 100 % and no incident from churn.
#include "bench/accuracy/diagnosis_accuracy.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace regwatch::accuracy {
namespace {

// Measured on the corpus as generated (seed 162026), 2026-12-06: counts out of 238 expected
// incidents in 258 scenarios. Top-1 raised from 232 when causes were weighed by the share of
// their own phones that dropped (the one top-1 miss left is 038, not detected at all).
constexpr size_t kScenarios = 258;
constexpr size_t kExpected = 238;
constexpr size_t kDetected = 238;
constexpr size_t kTop1 = 238;
constexpr size_t kTop3 = 238;
constexpr size_t kExactScope = 238;
constexpr size_t kScopeOrTie = 238;  // the exact scope or one holding the same phones
constexpr size_t kExactCount = 238;
constexpr size_t kMaxChurnIncidents = 0;
constexpr size_t kMaxExtraIncidents = 0;

TEST(DiagnosisAccuracy, TheLabelledCorpusScoresAtLeastAsWellAsMeasured) {
  const Corpus corpus = load_corpus(REGWATCH_SOURCE_DIR "/tests/data/accuracy/corpus.jsonl.gz");
  ASSERT_TRUE(corpus.error.empty()) << corpus.error;
  const Report report = score(corpus.scenarios);
  std::printf("%s", format_report(report).c_str());
  EXPECT_EQ(report.scenarios, kScenarios);
  EXPECT_EQ(report.expected, kExpected);
  EXPECT_GE(report.detected, kDetected);
  EXPECT_GE(report.top1, kTop1);
  EXPECT_GE(report.top3, kTop3);
  EXPECT_GE(report.exact_scope, kExactScope);
  EXPECT_GE(report.exact_scope + report.scope_ties, kScopeOrTie);
  EXPECT_GE(report.exact_count, kExactCount);
  EXPECT_LE(report.churn_incidents, kMaxChurnIncidents);
  EXPECT_LE(report.extra_incidents, kMaxExtraIncidents);
}

// Every input of the corpus is one the agent's parsers know: a line the syslog classifier does
// not type would measure the corpus, not the correlator. The only untyped lines are the stack's
// own STACK_LINK_CHANGE notices, one per stack-member story.
TEST(DiagnosisAccuracy, TheParsersTypeTheCorpusLines) {
  const Corpus corpus = load_corpus(REGWATCH_SOURCE_DIR "/tests/data/accuracy/corpus.jsonl.gz");
  ASSERT_TRUE(corpus.error.empty()) << corpus.error;
  for (const Scenario& s : corpus.scenarios) {
    const bool stack_story = s.id.find("module_failure") != std::string::npos ||
                             s.id.find("two_stories") != std::string::npos;
    EXPECT_LE(s.unrecognised_lines, stack_story ? 1u : 0u) << s.id;
  }
}

}  // namespace
}  // namespace regwatch::accuracy
