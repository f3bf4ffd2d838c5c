// The input merge policy of a live shard, driven by a manual clock (no broker).
#include "runtime/kafka/input_merger.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <vector>

#include <gtest/gtest.h>

namespace cx {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kNoLimit = INT64_MAX;
constexpr int kClicks = 0;
constexpr int kCalls = 1;

InputHead Record(int64_t ts) { return {.has_record = true, .timestamp_ms = ts, .answered = true}; }
InputHead AtEnd(MonotonicTime since = {}) {
  return {.at_end = true, .at_end_since = since, .answered = true};
}
InputHead Fetching() { return {.answered = true}; }
InputHead Unanswered() { return {}; }

class InputMergerTest : public ::testing::Test {
 protected:
  ManualClock clock_{EventTime::FromMillis(1'800'000'000'000)};
  MonotonicTime Now() const { return clock_.Monotonic(); }
  void Advance(int ms) { clock_.Advance(Duration::Millis(ms)); }
};

TEST_F(InputMergerTest, TakesTheEarliestTimestampAcrossInputs) {
  InputMerger merger({});
  std::array<InputHead, 4> heads{Record(300), Record(100), Record(200), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
}

TEST_F(InputMergerTest, NothingQueuedIsNone) {
  InputMerger merger({});
  std::array<InputHead, 4> heads{AtEnd(), Fetching(), Unanswered(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
}

TEST_F(InputMergerTest, ARecordFromTheFutureSortsFirst) {
  InputMerger merger({});
  std::array<InputHead, 4> heads{Record(100), Record(5'000), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, /*implausible_after_ms=*/1'000, Now()), kCalls);
}

TEST_F(InputMergerTest, WaitsForALaggingInputAtMostMaxMergeWait) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(0)});
  std::array<InputHead, 4> heads{Record(100), Fetching(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

TEST_F(InputMergerTest, TellsWhenARecordOvertookALaggingInput) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(1000)});
  // Inputs at their end waited out (the idle wait), then passed: not an overtake.
  std::array<InputHead, 4> idle{Record(100), Record(200), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(idle, kNoLimit, Now()), InputMerger::kNone);
  Advance(1000);
  EXPECT_EQ(merger.Next(idle, kNoLimit, Now()), kClicks);
  EXPECT_FALSE(merger.overtook());
  // A fetching input waited for (no record returned), then passed once its wait expired.
  std::array<InputHead, 4> lagging{Record(400), Fetching(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(lagging, kNoLimit, Now()), InputMerger::kNone);
  EXPECT_FALSE(merger.overtook());
  Advance(2000);
  EXPECT_EQ(merger.Next(lagging, kNoLimit, Now()), kClicks);
  EXPECT_TRUE(merger.overtook());
  // The input delivered: in order again.
  std::array<InputHead, 4> caught_up{Record(500), Record(450), Record(600), Record(700)};
  EXPECT_EQ(merger.Next(caught_up, kNoLimit, Now()), kCalls);
  EXPECT_FALSE(merger.overtook());
}

TEST_F(InputMergerTest, WaitsLongerForAnInputsFirstFetch) {
  InputMerger merger({.lagging = milliseconds(2000), .first_fetch = milliseconds(10000)});
  std::array<InputHead, 4> heads{Record(100), Unanswered(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(9999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

TEST_F(InputMergerTest, AWaitEndsWhenTheLaggingInputDelivers) {
  InputMerger merger({.lagging = milliseconds(2000)});
  std::array<InputHead, 4> heads{Record(200), Fetching(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(50);
  heads[kCalls] = Record(100);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  // The wait starts again from the next time an input is behind.
  heads[kCalls] = Fetching();
  Advance(5000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
}

// tests/integration/arrival_order_test.py without a broker: a caught-up shard (every input at
// its end) receives a burst, and the records of one topic are fetched before the others'. With
// kafka.idle_input_wait 0 the merge takes them in arrival order; with a wait it holds them back
// until the other inputs deliver, and the burst is merged in timestamp order.
std::vector<int64_t> MergeBurst(milliseconds idle_wait, ManualClock& clock) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = idle_wait});
  // clicks holds ts 200 and 400, fetched first; calls holds 100 and 300, fetched 20 ms later.
  std::array<std::vector<int64_t>, 4> queued{{{200, 400}, {}, {}, {}}};
  std::array<bool, 4> at_end{false, true, true, true};
  std::array<MonotonicTime, 4> at_end_since;
  at_end_since.fill(clock.Monotonic());
  std::vector<int64_t> order;
  auto heads = [&] {
    std::array<InputHead, 4> h;
    for (size_t i = 0; i < 4; ++i) {
      h[i] = queued[i].empty() ? (at_end[i] ? AtEnd(at_end_since[i]) : Fetching())
                               : Record(queued[i].front());
    }
    return h;
  };
  auto drain = [&] {
    for (;;) {
      auto h = heads();
      int next = merger.Next(h, kNoLimit, clock.Monotonic());
      if (next == InputMerger::kNone) return;
      order.push_back(queued[static_cast<size_t>(next)].front());
      queued[static_cast<size_t>(next)].erase(queued[static_cast<size_t>(next)].begin());
      if (queued[static_cast<size_t>(next)].empty()) {
        at_end[static_cast<size_t>(next)] = true;
        at_end_since[static_cast<size_t>(next)] = clock.Monotonic();
      }
    }
  };
  drain();
  clock.Advance(Duration::Millis(20));
  queued[kCalls] = {100, 300};
  drain();
  // Twice: an input that delivered its last record and reported its end is waited for again.
  for (int i = 0; i < 2; ++i) {
    clock.Advance(Duration::Millis(5000));
    drain();
  }
  return order;
}

TEST_F(InputMergerTest, ArrivalOrderWithoutAnIdleWait) {
  EXPECT_EQ(MergeBurst(milliseconds(0), clock_), (std::vector<int64_t>{200, 400, 100, 300}));
}

TEST_F(InputMergerTest, TimestampOrderWithAnIdleWait) {
  EXPECT_EQ(MergeBurst(milliseconds(1000), clock_), (std::vector<int64_t>{100, 200, 300, 400}));
}

TEST_F(InputMergerTest, AnIdleWaitGivesUpAfterItsLimit) {
  InputMerger merger({.idle = milliseconds(1000)});
  std::array<InputHead, 4> heads{Record(200), AtEnd(Now()), AtEnd(Now()), AtEnd(Now())};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

// Found by the soak test (tests/integration/soak_test.py): with traffic still arriving, a rare
// input stays at its end and its wait expires; an input that reaches its end later must still be
// waited for, from its own end on. One wait for all inputs (measured from the first one behind)
// let a click overtake a call answered before it, fetched a moment later: a false breach.
TEST_F(InputMergerTest, EachInputThatReachesItsEndIsWaitedForFromThen) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(1000)});
  std::array<InputHead, 4> heads{Record(100), Record(50), AtEnd(), AtEnd(Now())};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1000);  // surveys' wait is over
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = AtEnd(Now());  // calls delivered all it had and reports its end
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(50);
  heads[kCalls] = Record(80);  // the answer, fetched a moment after the click
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = AtEnd(Now());
  Advance(999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

// Found by integration.arrival_order: instances caught up (every input at its end), paused while
// more input is produced, then resumed. The inputs reached their ends long before the records
// now queued arrived, and must still be waited for, from the first call that has a record.
TEST_F(InputMergerTest, InputsThatReachedTheirEndLongAgoAreWaitedForOnceRecordsArrive) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(1000)});
  std::array<InputHead, 4> heads{AtEnd(Now()), AtEnd(Now()), AtEnd(Now()), AtEnd(Now())};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(60000);  // paused; then the clicks fetched first
  heads[kClicks] = Record(100);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(500);
  heads[kCalls] = Record(50);  // fetched half a second later, and earlier in time
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(500);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
}

// Found by integration.soak (two processing threads, seed 25423): every input stalled for about
// 2 s (brokers or producer under load) while a click stayed queued, waiting out the idle wait of
// the inputs at their ends. The burst fetched after the stall must not pass an input at its end
// on the strength of that old wait: a call of the same burst came a moment after a survey 37 min
// later in event time, and the survey went first (false alerts). A record taken at its
// partition's live edge waits for the inputs at their ends from its own arrival.
TEST_F(InputMergerTest, ARecordFetchedAfterAStallWaitsFromItsArrival) {
  constexpr int kSurveys = 3;
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(1000)});
  const MonotonicTime stalled = Now();
  auto live = [](int64_t ts, MonotonicTime arrived) {
    InputHead head = Record(ts);
    head.arrived = arrived;
    return head;
  };
  std::array<InputHead, 4> heads{live(100, stalled), AtEnd(stalled), AtEnd(stalled),
                                 AtEnd(stalled)};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1000);  // the idle wait is over; the click goes
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  // A second click queued with it still goes; then the burst: a survey, fetched just now.
  heads[kClicks] = live(150, stalled);
  heads[kSurveys] = live(300, Now());
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kClicks] = AtEnd(stalled);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(500);
  heads[kCalls] = live(250, Now());  // the call of the same burst, fetched a moment later
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);  // live: waits itself
  Advance(1000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = AtEnd(Now());
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kSurveys);
}

// Found by integration.soak (two processing threads, seed 891769): in a minute-long catch-up
// after a broker restart the inputs ran dry in turn, so at every call some input lagged and the
// one shared wait, started by the first, expired after max_merge_wait; from then on a chat
// message was passed by records of other inputs while its partition was being fetched, and a
// timer fired before it (a false sla_breach). Each lagging input has its own wait.
TEST_F(InputMergerTest, InputsThatRunDryInTurnAreEachWaitedFor) {
  InputMerger merger({.lagging = milliseconds(2000)});
  std::array<InputHead, 4> heads{Record(100), Fetching(), Record(500), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);  // calls lags
  Advance(1500);
  heads[kCalls] = Record(200);  // calls delivers; now the clicks run dry
  heads[kClicks] = Fetching();
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(600);  // 2.1 s since the first lag, 0.6 s since the clicks'
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(100);
  heads[kClicks] = Record(150);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kClicks] = Fetching();
  Advance(2000);  // the clicks run dry again: waited for from the first call that sees it
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(2000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
}

// A record taken from a backlog (arrived at epoch) does not restart the idle waits: catching up
// behind an input that stays silent is not slowed down.
TEST_F(InputMergerTest, ABacklogRecordDoesNotRestartTheIdleWait) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(1000)});
  std::array<InputHead, 4> heads{Record(100), AtEnd(Now()), AtEnd(Now()), AtEnd(Now())};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kClicks] = Record(200);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

// Found by the soak test at load average ~35 with the default max_merge_wait of 2 s: one input
// kept fetching past its wait while the others were busy; the lagging wait ran once for all
// inputs (from the first one found lagging), so an input that ran dry after that wait expired
// was not waited for at all, and a click overtook an answered call fetched a moment later. Each
// input that runs dry (still fetching, not at its end) is waited for from then.
TEST_F(InputMergerTest, EachInputThatRunsDryIsWaitedForFromThen) {
  InputMerger merger({.lagging = milliseconds(2000), .idle = milliseconds(0)});
  std::array<InputHead, 4> heads{Record(100), Record(50), AtEnd(), Fetching()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(2000);  // surveys' fetch outlasts its wait
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = Fetching();  // calls delivered all it had and fetches more
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(50);
  heads[kCalls] = Record(80);  // the answer, fetched a moment after the click
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = Fetching();
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);  // calls' own wait is over too
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

// An input whose wait expired is not waited for again while records stay queued elsewhere, until
// it delivers and runs dry again.
TEST_F(InputMergerTest, AnInputWhoseWaitExpiredIsWaitedForAgainOnlyAfterItDelivers) {
  InputMerger merger({.lagging = milliseconds(2000)});
  std::array<InputHead, 4> heads{Record(100), Fetching(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(2000);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kClicks] = Record(110);
  Advance(10);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kCalls] = Record(90);
  Advance(10);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kCalls);
  heads[kCalls] = Fetching();
  Advance(10);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
}

// Like InputsThatReachedTheirEndLongAgoAreWaitedForOnceRecordsArrive, for an input still
// fetching: one that ran dry long before the records now queued arrived is waited for from the
// first call that has a record.
TEST_F(InputMergerTest, AnInputFetchingSinceLongAgoIsWaitedForOnceRecordsArrive) {
  InputMerger merger({.lagging = milliseconds(2000)});
  std::array<InputHead, 4> heads{Fetching(), Fetching(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(60000);
  heads[kClicks] = Record(100);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
}

// Each input keeps its own limit: one still waiting for its first fetch after an assignment does
// not lend its longer wait to an input that merely ran dry, nor cut it short.
TEST_F(InputMergerTest, TheFirstFetchWaitIsPerInput) {
  InputMerger merger({.lagging = milliseconds(2000), .first_fetch = milliseconds(10000)});
  std::array<InputHead, 4> heads{Record(100), Unanswered(), AtEnd(), AtEnd()};
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(10000);  // calls never answered: given up on
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), kClicks);
  heads[kClicks] = Fetching();
  heads[2] = Record(120);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1999);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), InputMerger::kNone);
  Advance(1);
  EXPECT_EQ(merger.Next(heads, kNoLimit, Now()), 2);
}

// The soak's case as a simulation without a broker: surveys' fetch never returns, while clicks
// (dense, large batches: always something queued), calls and chats (sparse, small batches) take
// a few hundred ms to fetch their next batch each time they run dry. Every record of the three
// that deliver must be merged in timestamp order, long after surveys' wait expired.
std::vector<int64_t> MergeWithAStuckInput(ManualClock& clock) {
  InputMerger merger({.lagging = milliseconds(2000)});
  struct Stream {
    int64_t next_ts;
    int64_t step;
    int batch;
    milliseconds fetch;
    MonotonicTime arrives;
    std::vector<int64_t> queued;
  };
  const MonotonicTime start = clock.Monotonic();
  std::array<Stream, 3> streams{{{0, 1, 1000, milliseconds(300), start, {}},
                                 {3, 50, 2, milliseconds(300), start + milliseconds(100), {}},
                                 {7, 70, 3, milliseconds(200), start + milliseconds(200), {}}}};
  std::vector<int64_t> order;
  for (int tick = 0; tick < 1500; ++tick) {  // 15 s in steps of 10 ms
    for (Stream& stream : streams) {
      if (!stream.queued.empty() || clock.Monotonic() < stream.arrives) continue;
      for (int i = 0; i < stream.batch; ++i, stream.next_ts += stream.step) {
        stream.queued.push_back(stream.next_ts);
      }
    }
    for (;;) {
      std::array<InputHead, 4> heads;
      for (size_t i = 0; i < streams.size(); ++i) {
        heads[i] = streams[i].queued.empty() ? Fetching() : Record(streams[i].queued.front());
      }
      heads[3] = Fetching();  // surveys: stuck
      int next = merger.Next(heads, kNoLimit, clock.Monotonic());
      if (next == InputMerger::kNone) break;
      Stream& taken = streams[static_cast<size_t>(next)];
      order.push_back(taken.queued.front());
      taken.queued.erase(taken.queued.begin());
      if (taken.queued.empty()) taken.arrives = clock.Monotonic() + taken.fetch;
    }
    clock.Advance(Duration::Millis(10));
  }
  return order;
}

TEST_F(InputMergerTest, AStuckInputDoesNotLetTheOthersMergeOutOfOrder) {
  std::vector<int64_t> order = MergeWithAStuckInput(clock_);
  EXPECT_GT(order.size(), 1000U);
  // The index of the first record merged out of order (the size when none is).
  EXPECT_EQ(std::is_sorted_until(order.begin(), order.end()) - order.begin(),
            static_cast<std::ptrdiff_t>(order.size()));
}

}  // namespace
}  // namespace cx
