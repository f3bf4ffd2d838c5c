// The state path per event (issue 12): Shard::Process over a RocksDB store in a fresh temporary
// directory, committing every 200 000 events like a replay, output discarded (no JSON). Two
// shapes: first sightings (a call queued by a new customer, abandoned ten minutes later, as in
// bench/first_sighting_load.py) and returning customers (page views from a pool of customers
// that all stay cached). One benchmark iteration = one event.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/shard/shard.h"

namespace cx {
namespace {

constexpr uint64_t kCommitEvery = 200'000;
constexpr EventTime kStart = EventTime::FromMillis(1'790'000'000'000);

class NullSink final : public EmissionSink {
 public:
  void OnSignal(const Signal&) override { ++emitted; }
  void OnAlert(const Alert&) override { ++emitted; }
  void OnDeadLetter(const DeadLetter&) override {}
  uint64_t emitted = 0;
};

std::string Id(const char* prefix, uint64_t n) {
  char text[32];
  std::snprintf(text, sizeof(text), "%s%09llu", prefix, static_cast<unsigned long long>(n));
  return text;
}

// A shard on a fresh store under /tmp, removed afterwards.
struct Fixture {
  explicit Fixture(const char* name) {
    dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir);
    StoreOptions options;
    options.path = dir.string();
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message().c_str());
      std::abort();
    }
    shard = std::make_unique<Shard>(0, rules, std::move(store).value(), 1'000'000, sink);
    if (!shard->Restore()) {
      std::abort();
    }
  }
  ~Fixture() {
    shard.reset();
    std::filesystem::remove_all(dir);
  }
  void Apply(const Event& event, uint64_t n) {
    if (!shard->Process(event) || ((n + 1) % kCommitEvery == 0 && !shard->Commit())) {
      std::abort();
    }
  }

  std::filesystem::path dir;
  RulesConfig rules;
  NullSink sink;
  std::unique_ptr<Shard> shard;
};

// Event 2k is customer k's call queued at k * 20 ms; event 2k+1 abandons the call of customer
// k - 30 000 (queued 600 s of traffic earlier), so both are first sightings or cache misses of
// a fresh store and every call breaches its answer target.
void BM_FirstSightings(benchmark::State& state) {
  Fixture fixture("cxpulse-state-path-bench-first");
  constexpr uint64_t kLag = 30'000;
  std::vector<std::string> ids;
  std::vector<std::string> calls;
  uint64_t n = 0;
  for (auto _ : state) {
    const uint64_t customer = n / 2;
    Event event;
    event.type = EventType::kCall;
    event.channel = "phone";
    if (n % 2 == 0 || customer < kLag) {
      ids.push_back(Id("c-", customer));
      calls.push_back(Id("call-", customer));
      event.action = Action::kQueued;
      event.ts = kStart + Duration::Millis(static_cast<int64_t>(customer) * 20);
      event.customer_id = ids.back();
      event.contact_id = calls.back();
      event.event_id = calls.back();
      event.queue = "billing";
      event.reason = "billing";
      event.tier = Tier::kStandard;
    } else {
      const uint64_t who = customer - kLag;
      event.action = Action::kAbandoned;
      event.ts = kStart + Duration::Millis(static_cast<int64_t>(customer) * 20);
      event.customer_id = ids[who];
      event.contact_id = calls[who];
      event.event_id = ids[who];
    }
    fixture.Apply(event, n++);
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["emitted_per_event"] =
      static_cast<double>(fixture.sink.emitted) / static_cast<double>(n);
}
BENCHMARK(BM_FirstSightings)->Unit(benchmark::kNanosecond)->MinTime(2.0);

// Page views of `range(0)` customers in turn, 2 s of event time apart per round.
void BM_ReturningCustomers(benchmark::State& state) {
  Fixture fixture("cxpulse-state-path-bench-returning");
  const auto customers = static_cast<uint64_t>(state.range(0));
  std::vector<std::string> ids;
  std::vector<std::string> event_ids;
  for (uint64_t i = 0; i < customers; ++i) {
    ids.push_back(Id("c-", i));
  }
  uint64_t n = 0;
  std::string event_id;
  for (auto _ : state) {
    Event event;
    event.type = EventType::kClick;
    event.action = Action::kPageView;
    event.channel = "app";
    event.ts = kStart + Duration::Millis(static_cast<int64_t>(n));
    event.customer_id = ids[n % customers];
    event_id = Id("e-", n);
    event.event_id = event_id;
    event.session_id = event.customer_id;
    event.page = "/";
    fixture.Apply(event, n++);
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
}
BENCHMARK(BM_ReturningCustomers)->Arg(100'000)->Unit(benchmark::kNanosecond)->MinTime(2.0);

// StateStore::Commit of one batch of range(0) dirty customers (180-byte values, ids drawn at
// random from a million, as a shard's dirty set between two commits), into a store that keeps
// growing; batch building not timed. One item = one customer written.
void BM_CommitRandomCustomers(benchmark::State& state) {
  Fixture fixture("cxpulse-state-path-bench-commit");
  const auto per_batch = static_cast<uint64_t>(state.range(0));
  const std::string value(180, 'v');
  uint64_t random = 88172645463325252ULL;
  uint64_t written = 0;
  StoreBatch batch;
  for (auto _ : state) {
    state.PauseTiming();
    batch.Clear();
    for (uint64_t i = 0; i < per_batch; ++i) {
      random ^= random << 13;
      random ^= random >> 7;
      random ^= random << 17;
      batch.PutCustomer(Id("c-", random % 1'000'000), value);
    }
    state.ResumeTiming();
    if (!fixture.shard->store().Commit(batch).IsOk()) {
      std::abort();
    }
    written += per_batch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(written));
}
BENCHMARK(BM_CommitRandomCustomers)->Arg(10'000)->Arg(200'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cx

BENCHMARK_MAIN();
