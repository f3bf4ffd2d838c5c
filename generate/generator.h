#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <vector>

#include "generate/customer_permutation.h"
#include "generate/event_writer.h"
#include "generate/invalid_line.h"
#include "generate/journey.h"
#include "generate/rng.h"
#include "schemas/event.h"
#include "schemas/result.h"
#include "schemas/time.h"

namespace cx {

// Options of `cxpulse generate` (see generate/README.md for the journeys).
struct GeneratorOptions {
  // Distinct customers; each arrives once (and may come back for later visits).
  uint64_t customers = 1000;
  // The same options and seed give byte-identical output.
  uint64_t seed = 1;
  // Share of customers on a struggling journey, in [0, 1].
  double struggle_ratio = 0.2;
  // First visits start at Poisson arrival times (uniform order statistics) in [start, start+span).
  EventTime start = EventTime::FromMillis(1'791'187'200'000);  // 2026-10-05T08:00:00Z
  Duration span = Duration::Hours(24);
  // Share of customers with tier vip, in [0, 1].
  double vip_ratio = 0.05;
  // Share of valid events delivered a second time (same bytes) 50 ms to 3 s later, in [0, 1].
  double duplicate_ratio = 0.0;
  // Share of all lines that are bad input (every SPEC §2 kind), in [0, 1).
  double invalid_ratio = 0.0;
  // Write ts as integer epoch milliseconds instead of RFC 3339.
  bool epoch_millis_ts = false;
};

// Success when `options` are usable, else a one-line reason.
[[nodiscard]] Result<void> ValidateGeneratorOptions(const GeneratorOptions& options);

enum class LineKind : uint8_t { kEvent, kDuplicate, kInvalid };

// What Next() wrote.
struct LineInfo {
  LineKind kind = LineKind::kEvent;
  EventType type = EventType::kClick;  // its source stream: the topic it belongs to
  EventTime ts;           // the event's time (an invalid line: the time it was made at)
  EventTime delivery;     // its place in the stream: non-decreasing over all lines
  uint64_t customer = 0;  // customer number; AppendCustomerId() writes the Kafka key
  gen::InvalidKind invalid_kind = gen::InvalidKind::kNotJson;  // meaningful for kInvalid only
};

struct GeneratorStats {
  uint64_t customers_started = 0;
  uint64_t events = 0;  // valid events, without re-deliveries
  uint64_t duplicates = 0;
  uint64_t invalid = 0;
  std::array<uint64_t, gen::kInvalidKindCount> invalid_by_kind{};
  size_t journeys = 0;          // in the queue now: live plus dormant
  size_t dormant_journeys = 0;  // waiting for a later visit, holding no events
  size_t peak_journeys = 0;
  size_t peak_live_journeys = 0;  // peak of journeys - dormant_journeys
  size_t peak_pending_lines = 0;  // re-deliveries and bad lines waiting to be written
};

// Streams synthetic traffic as JSON Lines (SPEC §1). Memory is proportional to the journeys
// in progress (a priority queue keyed by each journey's next event time), not to customers or
// events. Lines come out in non-decreasing delivery time; valid events therefore in
// non-decreasing event time, and a re-delivered duplicate carries its original (earlier) ts.
// Deterministic. Not thread-safe.
class Generator {
 public:
  // Out-of-range options are clamped; call ValidateGeneratorOptions() first to reject them.
  explicit Generator(const GeneratorOptions& options);

  // Appends the next line (no newline) to `out` and returns true, or returns false at the end.
  // `ts`, when given, receives the line's LineInfo::ts.
  bool Next(std::string& out, EventTime* ts = nullptr);
  bool Next(std::string& out, LineInfo& info);

  // Appends the customer_id of customer number `customer` (the Kafka key of its lines).
  void AppendCustomerId(std::string& out, uint64_t customer) const {
    writer_.AppendCustomerId(out, customer);
  }

  const GeneratorStats& stats() const { return stats_; }
  // Journeys held right now (live and dormant): the generator's memory, in journeys.
  size_t ActiveJourneys() const { return heap_.size() + dormant_.size(); }

 private:
  struct QueueEntry {
    int64_t ts;
    uint64_t customer;
    uint32_t slot;
  };
  struct PendingLine {
    int64_t delivery;
    uint64_t order;
    std::string line;
    LineInfo info;
  };
  struct PendingLater {
    bool operator()(const PendingLine& a, const PendingLine& b) const {
      return a.delivery != b.delivery ? a.delivery > b.delivery : a.order > b.order;
    }
  };

  void Arrive();
  void ScheduleNextArrival();
  void EmitEvent(gen::Journey& journey, std::string& out, LineInfo& info);
  void Push(std::vector<QueueEntry>& heap, QueueEntry entry);
  void PopTop(std::vector<QueueEntry>& heap);
  static void SiftDown(std::vector<QueueEntry>& heap, size_t i);
  void NotePeaks();

  GeneratorOptions options_;
  gen::EventWriter writer_;
  gen::CustomerPermutation permutation_;
  gen::Rng rng_;
  double duplicate_chance_;
  double invalid_chance_;
  uint64_t arrived_ = 0;
  double remaining_fraction_ = 1.0;  // of the span after the latest arrival
  EventTime next_arrival_;
  std::deque<gen::Journey> slots_;  // stable addresses, grows without copying
  std::vector<uint32_t> free_slots_;
  std::vector<QueueEntry> heap_;     // live journeys, by next event time
  std::vector<QueueEntry> dormant_;  // journeys between visits, by next visit time
  std::priority_queue<PendingLine, std::vector<PendingLine>, PendingLater> pending_;
  uint64_t pending_order_ = 0;
  uint64_t bad_seq_ = 0;
  GeneratorStats stats_;
};

}  // namespace cx
