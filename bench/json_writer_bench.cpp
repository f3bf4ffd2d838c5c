// Output JSON per record (issue 12): AppendAlertJson and AppendSignalJson of records shaped like
// the rules' (ids, a one-reason alert with a threshold detail, an SLA signal), appended to one
// reused line buffer as the replay's and the live outputs' writers do. items/s = records.
#include <string>

#include <benchmark/benchmark.h>

#include "schemas/alert.h"
#include "schemas/json_writer.h"
#include "schemas/signal.h"

namespace cx {
namespace {

Alert TypicalAlert() {
  Alert a;
  a.alert_id = "5f0c2a9e77b1d3c48e2f90a1b6c7d8e9";
  a.customer_id = "c-000123456";
  a.kind = AlertKind::kAtRisk;
  a.severity = Severity::kWarning;
  a.ts = EventTime::FromMillis(1'790'000'123'456);
  a.tier = Tier::kStandard;
  AlertReason& r = a.reasons.emplace_back();
  r.code = "risk_threshold";
  r.detail =
      "risk 62 crossed the warning threshold 60: SLA breach (+20), 3 contacts in 7 days (+30)";
  r.event_ids = {"e-000123456-17"};
  a.effort_score = 48;
  a.risk_score = 62;
  return a;
}

Signal TypicalSignal() {
  Signal s;
  s.signal_id = "9a8b7c6d5e4f30211203f4e5d6c7b8a9";
  s.kind = SignalKind::kSlaBreached;
  s.customer_id = "c-000123456";
  s.ts = EventTime::FromMillis(1'790'000'123'456);
  s.contact_id = "call-000123456-3";
  s.channel = "phone";
  s.sla = SlaKind::kCallAnswer;
  s.target_ms = 60'000;
  s.elapsed_ms = 60'001;
  s.event_ids = {"e-000123456-16"};
  return s;
}

template <typename Record, void (*Append)(const Record&, std::string&)>
void BM_Append(benchmark::State& state, const Record& record) {
  std::string buffer;
  buffer.reserve(1 << 20);
  for (auto _ : state) {
    if (buffer.size() > (1 << 20) - 4096) buffer.clear();  // written out, as the files do
    Append(record, buffer);
    buffer += '\n';
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AlertJson(benchmark::State& state) {
  BM_Append<Alert, AppendAlertJson>(state, TypicalAlert());
}
void BM_SignalJson(benchmark::State& state) {
  BM_Append<Signal, AppendSignalJson>(state, TypicalSignal());
}
BENCHMARK(BM_AlertJson)->MinTime(1.0);
BENCHMARK(BM_SignalJson)->MinTime(1.0);

}  // namespace
}  // namespace cx

BENCHMARK_MAIN();
