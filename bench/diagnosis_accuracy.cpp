// Diagnosis accuracy over the labelled scenario corpus (issue 16), the way the field measures a
// root-cause tool: top-1 and top-3 cause, exact scope, exact phone count, incidents from churn,
// and every miss with its scenario. The corpus is tests/data/accuracy/corpus.jsonl.gz
// (make_corpus.py there); each scenario's inputs go through the agent's real parsers into stored
// events and through correlate(). The figures are in docs/performance.md; the regression guard
// is tests/correlate/diagnosis_accuracy_test.
//
//   build/bench/diagnosis_accuracy [CORPUS [SCENARIO_ID]]
// With a scenario id: that scenario's incidents in full (JSON), to read a miss.
#include <chrono>
#include <cstdio>
#include <string>

#include "bench/accuracy/diagnosis_accuracy.h"
#include "collector/correlate/incident_record.h"
#include "common/record_json.h"

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : REGWATCH_SOURCE_DIR "/tests/data/accuracy/corpus.jsonl.gz";
  const auto start = std::chrono::steady_clock::now();
  const auto corpus = regwatch::accuracy::load_corpus(path);
  if (!corpus.error.empty()) {
    std::fprintf(stderr, "diagnosis_accuracy: %s\n", corpus.error.c_str());
    return 2;
  }
  const auto loaded = std::chrono::steady_clock::now();
  if (argc > 2) {
    for (const auto& s : corpus.scenarios) {
      if (s.id != argv[2]) continue;
      std::printf("%s: %zu events, %zu expected incidents, variations %s\n", s.id.c_str(),
                  s.events.size(), s.expected.size(), s.variations.c_str());
      for (const auto& i : regwatch::collector::correlate::correlate(s.events))
        std::printf("%s\n",
                    regwatch::incident_json(regwatch::collector::correlate::incident_record(i))
                        .dump()
                        .c_str());
      return 0;
    }
    std::fprintf(stderr, "diagnosis_accuracy: no scenario %s\n", argv[2]);
    return 2;
  }
  const auto report = regwatch::accuracy::score(corpus.scenarios);
  const auto scored = std::chrono::steady_clock::now();
  size_t unrecognised = 0;
  for (const auto& s : corpus.scenarios) unrecognised += s.unrecognised_lines;
  std::printf("%s", regwatch::accuracy::format_report(report).c_str());
  std::printf("syslog lines not typed by the parser: %zu\n", unrecognised);
  std::printf("parse %.2f s, correlate and score %.2f s\n",
              std::chrono::duration<double>(loaded - start).count(),
              std::chrono::duration<double>(scored - loaded).count());
  return 0;
}
