#include "generate/generator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "generate/vocabulary.h"

namespace cx {
namespace {

constexpr uint64_t kArrivalStream = 0xA5A5'0001;
constexpr uint64_t kCustomerStream = 0xA5A5'0002;
constexpr uint64_t kPermutationStream = 0xA5A5'0003;
constexpr uint64_t kLineStream = 0xA5A5'0004;
constexpr int64_t kMinRedeliveryMs = 50;
constexpr int64_t kMaxRedeliveryMs = 3000;
constexpr double kMaxInvalidRatio = 0.9;

bool Earlier(int64_t ts_a, uint64_t customer_a, int64_t ts_b, uint64_t customer_b) {
  return ts_a != ts_b ? ts_a < ts_b : customer_a < customer_b;
}

int IdWidth(uint64_t customers) {
  int digits = static_cast<int>(fmt::format_int(customers).size());
  return std::max(9, digits);
}

GeneratorOptions Clamped(GeneratorOptions o) {
  o.struggle_ratio = std::clamp(o.struggle_ratio, 0.0, 1.0);
  o.vip_ratio = std::clamp(o.vip_ratio, 0.0, 1.0);
  o.duplicate_ratio = std::clamp(o.duplicate_ratio, 0.0, 1.0);
  o.invalid_ratio = std::clamp(o.invalid_ratio, 0.0, kMaxInvalidRatio);
  if (o.span.ms < 1) o.span = Duration::Millis(1);
  return o;
}

}  // namespace

Result<void> ValidateGeneratorOptions(const GeneratorOptions& o) {
  auto ratio_ok = [](double v, bool allow_one) {
    return std::isfinite(v) && v >= 0 && (allow_one ? v <= 1 : v < 1);
  };
  if (!ratio_ok(o.struggle_ratio, true)) return Err("struggle ratio must be in [0, 1]");
  if (!ratio_ok(o.vip_ratio, true)) return Err("vip ratio must be in [0, 1]");
  if (!ratio_ok(o.duplicate_ratio, true)) return Err("duplicate ratio must be in [0, 1]");
  if (!ratio_ok(o.invalid_ratio, false) || o.invalid_ratio > kMaxInvalidRatio) {
    return Err("invalid ratio must be in [0, 0.9]");
  }
  if (o.span.ms < 1) return Err("span must be positive");
  if (o.customers > 1'000'000'000'000ULL) return Err("at most 10^12 customers");
  return Ok();
}

Generator::Generator(const GeneratorOptions& options)
    : options_(Clamped(options)),
      writer_(options_.epoch_millis_ts, IdWidth(options_.customers)),
      permutation_(options_.customers, gen::Mix64(options_.seed ^ kPermutationStream)),
      rng_(gen::Mix64(options_.seed ^ kLineStream)),
      duplicate_chance_(options_.duplicate_ratio),
      invalid_chance_(options_.invalid_ratio * (1 + options_.duplicate_ratio) /
                      (1 - options_.invalid_ratio)) {
  ScheduleNextArrival();
}

void Generator::ScheduleNextArrival() {
  uint64_t remaining = options_.customers - arrived_;
  if (remaining == 0) return;
  // The next of `remaining` sorted uniform points in what is left of the span.
  gen::Rng arrival_rng(gen::Mix64(options_.seed ^ kArrivalStream) + arrived_);
  double v = 1.0 - arrival_rng.Unit();
  remaining_fraction_ *= std::exp(std::log(v) / static_cast<double>(remaining));
  auto offset =
      static_cast<int64_t>((1.0 - remaining_fraction_) * static_cast<double>(options_.span.ms));
  next_arrival_ = options_.start + Duration::Millis(std::min(offset, options_.span.ms - 1));
}

void Generator::Arrive() {
  uint64_t number = permutation_(arrived_) + 1;
  EventTime at = next_arrival_;
  ++arrived_;
  ScheduleNextArrival();

  gen::Rng rng(gen::Mix64(gen::Mix64(options_.seed ^ kCustomerStream) ^ number));
  gen::CustomerProfile profile;
  profile.number = number;
  profile.struggling = rng.Chance(options_.struggle_ratio);
  profile.vip = rng.Chance(options_.vip_ratio);
  profile.local_offset = rng.Chance(0.05);
  profile.home_channel = rng.Chance(0.35) ? gen::kChannelApp : gen::kChannelWeb;
  profile.reason = static_cast<uint8_t>(rng.Below(gen::kReasons.size()));

  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  gen::Journey& journey = slots_[slot];
  journey.Start(profile, rng.Next(), at);
  Push(heap_, QueueEntry{journey.NextTime().ms, number, slot});
  ++stats_.customers_started;
  NotePeaks();
}

bool Generator::Next(std::string& out, EventTime* ts) {
  LineInfo info;
  if (!Next(out, info)) return false;
  if (ts != nullptr) *ts = info.ts;
  return true;
}

bool Generator::Next(std::string& out, LineInfo& info) {
  for (;;) {
    int64_t journey_t = heap_.empty() ? EventTime::Max().ms : heap_[0].ts;
    int64_t wake_t = dormant_.empty() ? EventTime::Max().ms : dormant_[0].ts;
    int64_t arrival_t = arrived_ < options_.customers ? next_arrival_.ms : EventTime::Max().ms;
    int64_t pending_t = pending_.empty() ? EventTime::Max().ms : pending_.top().delivery;
    if (pending_t <= journey_t && pending_t <= arrival_t && pending_t <= wake_t) {
      if (pending_.empty()) return false;
      // priority_queue::top() is const; the line is copied out before pop().
      const PendingLine& top = pending_.top();
      out += top.line;
      info = top.info;
      pending_.pop();
      return true;
    }
    if (arrival_t <= journey_t && arrival_t <= wake_t) {
      Arrive();
      continue;
    }
    if (wake_t <= journey_t) {
      QueueEntry entry = dormant_[0];
      PopTop(dormant_);
      slots_[entry.slot].Wake();
      Push(heap_, entry);
      NotePeaks();
      continue;
    }
    gen::Journey& journey = slots_[heap_[0].slot];
    EmitEvent(journey, out, info);
    journey.Advance();
    if (journey.Done()) {
      free_slots_.push_back(heap_[0].slot);
      PopTop(heap_);
      NotePeaks();
    } else if (journey.Dormant()) {
      QueueEntry entry = heap_[0];
      entry.ts = journey.NextTime().ms;
      PopTop(heap_);
      Push(dormant_, entry);
      NotePeaks();
    } else {
      heap_[0].ts = journey.NextTime().ms;
      SiftDown(heap_, 0);
    }
    if (!heap_.empty()) slots_[heap_[0].slot].Prefetch();
    return true;
  }
}

void Generator::EmitEvent(gen::Journey& journey, std::string& out, LineInfo& info) {
  const gen::PlannedEvent& e = journey.Peek();
  uint64_t customer = journey.profile().number;
  size_t begin = out.size();
  writer_.Append(out, e, customer, journey.TakeSeq());
  info = LineInfo{LineKind::kEvent, e.type, e.ts, e.ts, customer};
  ++stats_.events;
  if (duplicate_chance_ > 0 && rng_.Chance(duplicate_chance_)) {
    LineInfo dup = info;
    dup.kind = LineKind::kDuplicate;
    dup.delivery = e.ts + Duration::Millis(rng_.Between(kMinRedeliveryMs, kMaxRedeliveryMs));
    pending_.push(PendingLine{dup.delivery.ms, pending_order_++, out.substr(begin), dup});
    ++stats_.duplicates;
  }
  if (invalid_chance_ > 0 && rng_.Chance(invalid_chance_)) {
    std::string line;
    gen::InvalidLine bad = gen::AppendInvalidLine(line, writer_, rng_, customer, ++bad_seq_, e.ts);
    LineInfo bad_info{LineKind::kInvalid, bad.topic, e.ts, e.ts, customer, bad.kind};
    pending_.push(PendingLine{e.ts.ms, pending_order_++, std::move(line), bad_info});
    ++stats_.invalid;
    ++stats_.invalid_by_kind[static_cast<size_t>(bad.kind)];
  }
  stats_.peak_pending_lines = std::max(stats_.peak_pending_lines, pending_.size());
}

void Generator::NotePeaks() {
  stats_.journeys = heap_.size() + dormant_.size();
  stats_.dormant_journeys = dormant_.size();
  stats_.peak_journeys = std::max(stats_.peak_journeys, stats_.journeys);
  stats_.peak_live_journeys = std::max(stats_.peak_live_journeys, heap_.size());
}

void Generator::Push(std::vector<QueueEntry>& heap, QueueEntry entry) {
  size_t i = heap.size();
  heap.push_back(entry);
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    const QueueEntry& p = heap[parent];
    if (!Earlier(entry.ts, entry.customer, p.ts, p.customer)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = entry;
}

void Generator::SiftDown(std::vector<QueueEntry>& heap, size_t i) {
  QueueEntry moving = heap[i];
  size_t n = heap.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Earlier(heap[child + 1].ts, heap[child + 1].customer, heap[child].ts,
                                 heap[child].customer)) {
      ++child;
    }
    if (!Earlier(heap[child].ts, heap[child].customer, moving.ts, moving.customer)) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = moving;
}

void Generator::PopTop(std::vector<QueueEntry>& heap) {
  heap[0] = heap.back();
  heap.pop_back();
  if (!heap.empty()) SiftDown(heap, 0);
}

}  // namespace cx
