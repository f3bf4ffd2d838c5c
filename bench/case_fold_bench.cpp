// The outreach case fold (outreach/case_book.h): records folded per second, and the heap bytes
// one open case holds. Usage: build/bench/case_fold_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <memory>

#include <string>
#include <vector>

#include "outreach/alert_reader.h"
#include "outreach/case_book.h"
#include "outreach/case_json.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

constexpr int64_t kT0 = 1'791'190'800'000;  // 2026-10-05T09:00:00Z

struct Workload {
  std::vector<Alert> alerts;
  std::vector<Command> commands;
};

// `customers` customers, two alerts each (a realistic reason and detail), then a claim of half
// the cases and a resolve of a quarter; one record per second.
Workload Make(int customers) {
  Workload w;
  int64_t ts = kT0;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < customers; ++i) {
      Alert& a = w.alerts.emplace_back();
      a.customer_id = "customer-" + std::to_string(i);
      a.alert_id = std::to_string(round) + "f3a9c2d4e5b6a7980112233445566" + std::to_string(i);
      a.kind = round == 0 ? AlertKind::kSlaBreach : AlertKind::kRepeatContact;
      a.severity = i % 4 == 0 ? Severity::kCritical : Severity::kWarning;
      a.ts = EventTime::FromMillis(ts += 1000);
      a.tier = i % 10 == 0 ? Tier::kVip : Tier::kStandard;
      a.queue = "billing";
      a.reason = "refund";
      a.reasons.push_back({"call_answer_breach", "no answer for 60 s", {"e-1", "e-2"}});
    }
  }
  for (int i = 0; i < customers; i += 2) {
    Command& c = w.commands.emplace_back();
    c.command_id = "k-" + std::to_string(i);
    c.case_id = CaseId(w.alerts[static_cast<size_t>(i)].customer_id,
                       w.alerts[static_cast<size_t>(i)].alert_id);
    c.rep = "rep-" + std::to_string(i % 7);
    c.kind = CommandKind::kClaim;
    c.ts = EventTime::FromMillis(ts += 1000);
    if (i % 4 == 0) {
      Command resolve = c;
      resolve.command_id += "r";
      resolve.kind = CommandKind::kResolve;
      resolve.outcome = Outcome::kReached;
      resolve.ts = EventTime::FromMillis(ts += 1000);
      w.commands.push_back(resolve);
    }
  }
  return w;
}

void BM_FoldRecords(benchmark::State& state) {
  const Workload w = Make(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    CaseBook book;
    std::vector<Escalation> escalations;
    for (const Alert& a : w.alerts) book.ApplyAlert(a, escalations);
    for (const Command& c : w.commands) benchmark::DoNotOptimize(book.ApplyCommand(c, escalations));
    benchmark::DoNotOptimize(book.Cases().size());
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(w.alerts.size() + w.commands.size()));
}
BENCHMARK(BM_FoldRecords)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// Heap bytes in use (malloc's view, allocator overhead included) per open case with two
// alerts, measured around building the book; the workload itself is built before.
void BM_BytesPerOpenCase(benchmark::State& state) {
  const int customers = static_cast<int>(state.range(0));
  Workload w = Make(customers);
  w.commands.clear();
  double per_case = 0;
  for (auto _ : state) {
    const size_t before = mallinfo2().uordblks;
    auto book = std::make_unique<CaseBook>();
    std::vector<Escalation> escalations;
    for (const Alert& a : w.alerts) book->ApplyAlert(a, escalations);
    const size_t after = mallinfo2().uordblks;
    per_case = static_cast<double>(after - before) / static_cast<double>(book->Cases().size());
  }
  state.counters["bytes_per_open_case"] = per_case;
  std::string json;
  CaseBook one;
  std::vector<Escalation> escalations;
  one.ApplyAlert(w.alerts[0], escalations);
  one.ApplyAlert(w.alerts[static_cast<size_t>(customers)], escalations);
  AppendCaseJson(one.Cases().begin()->second, json);
  state.counters["json_bytes_per_case"] = static_cast<double>(json.size());
}
BENCHMARK(BM_BytesPerOpenCase)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Time passing: AdvanceTo over many cases with due deadlines (escalations of critical cases).
void BM_AdvanceEscalations(benchmark::State& state) {
  Workload w = Make(static_cast<int>(state.range(0)));
  for (Alert& a : w.alerts) a.severity = Severity::kCritical;
  for (auto _ : state) {
    state.PauseTiming();
    CaseBook book;
    std::vector<Escalation> escalations;
    for (const Alert& a : w.alerts) book.ApplyAlert(a, escalations);
    escalations.clear();
    state.ResumeTiming();
    book.AdvanceTo(w.alerts.back().ts + Duration::Hours(1), escalations);
    benchmark::DoNotOptimize(escalations.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AdvanceEscalations)->Arg(10'000)->Unit(benchmark::kMillisecond);

// Rebuilding from the log: decoding cx.alerts records (as the processor writes them) with one
// reused AlertReader, then folding them.
void BM_DecodeAndFoldAlerts(benchmark::State& state) {
  const Workload w = Make(static_cast<int>(state.range(0)));
  std::vector<std::string> lines;
  for (const Alert& a : w.alerts) AppendAlertJson(a, lines.emplace_back());
  for (auto _ : state) {
    AlertReader reader;
    CaseBook book;
    std::vector<Escalation> escalations;
    Alert alert;
    for (const std::string& line : lines) {
      if (Result<void> decoded = reader.Decode(line, alert); !decoded) {
        state.SkipWithError(decoded.error().message().c_str());
      }
      book.ApplyAlert(alert, escalations);
    }
    benchmark::DoNotOptimize(book.Cases().size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines.size()));
}
BENCHMARK(BM_DecodeAndFoldAlerts)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cx

BENCHMARK_MAIN();
