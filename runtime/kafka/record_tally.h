#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reasons/reason_labels.h"
#include "schemas/event.h"
#include "schemas/signal.h"

namespace cx {

// What the per-record metrics need of the input records a processing thread consumed since it
// last reported them, and of the signals its shards emitted meanwhile: counted on that thread
// with no lock and no atomic, and handed to the observers once per processing turn
// (LiveObserver::OnRecordsProcessed). Per record, a lock shared by the processing threads and
// three atomic updates of shared metrics cost ≈ 6 % of a processing thread's CPU in a
// 100 k-customer drain on two threads, with futex waits where the threads met (bench/RESULTS.md,
// "The per-record metrics, once per turn"); per signal, that lock and a histogram's mutex.
//
// Header-only: the observers (runtime/metrics, runtime/cli) read it without linking Kafka code.
// Topics are the input topics (a handful); their entries stay across Clear() with a count of 0.
// Contact reasons are whatever the input says: their entries go at Clear().
class RecordTally {
 public:
  struct TopicCount {
    std::string topic;
    uint64_t records = 0;
  };
  // Contacts opened (reasons/reason_labels.h: OpenedContact) with one reason and channel.
  struct ContactCount {
    std::string reason;
    ContactChannel channel = ContactChannel::kCall;
    uint64_t contacts = 0;
  };
  // What the signal metrics need of one signal other than contact.repeat (those are counted in
  // repeats()): no ids, the customer only as a hash and only for risk.updated.
  struct SignalFigures {
    SignalKind kind = SignalKind::kSlaBreached;
    SlaKind sla = SlaKind::kNone;
    SlaOutcome outcome = SlaOutcome::kAnswered;
    std::optional<ContactChannel> channel;  // sla.*: none when the signal names another
    int64_t elapsed_ms = 0;                 // sla.*
    int score = 0;                          // effort.updated, risk.updated
    uint64_t customer_hash = 0;             // risk.updated: std::hash of the customer id
  };
  static constexpr size_t kEventTypes = 4;

  // One record consumed from `topic`; `decoded` is null when it became a dead letter.
  void AddRecord(std::string_view topic, const Event* decoded,
                 std::chrono::nanoseconds processing_time);
  // The last record's event was applied (it passed dedup): counts the contact it opened, if any.
  void AddApplied(const Event& event);
  // A signal was emitted (inside the open transaction). A contact.repeat whose channel is not a
  // contact channel counts nowhere.
  void AddSignal(const Signal& signal);
  // Forgets the records and signals (keeps the topics' entries and the buffers' capacity).
  void Clear();

  // No records and no signals.
  [[nodiscard]] bool empty() const {
    return processing_times_.empty() && signals_.empty() && repeats_.empty();
  }
  [[nodiscard]] size_t records() const { return processing_times_.size(); }
  // Every topic seen since construction; records = 0 for those without records since Clear().
  [[nodiscard]] const std::vector<TopicCount>& topics() const { return topics_; }
  // Decoded records by EventType.
  [[nodiscard]] const std::array<uint64_t, kEventTypes>& decoded() const { return decoded_; }
  // Each record's processing time, in the order consumed.
  [[nodiscard]] const std::vector<std::chrono::nanoseconds>& processing_times() const {
    return processing_times_;
  }
  [[nodiscard]] const std::vector<ContactCount>& contacts() const { return contacts_; }
  // The signals other than contact.repeat, in the order emitted.
  [[nodiscard]] const std::vector<SignalFigures>& signals() const { return signals_; }
  // contact.repeat signals by reason and channel.
  [[nodiscard]] const std::vector<ContactCount>& repeats() const { return repeats_; }

 private:
  static void Count(std::vector<ContactCount>& counts, std::string_view reason,
                    ContactChannel channel);

  std::vector<TopicCount> topics_;
  size_t last_topic_ = 0;  // the entry the previous record's topic matched
  std::array<uint64_t, kEventTypes> decoded_{};
  std::vector<std::chrono::nanoseconds> processing_times_;
  std::vector<ContactCount> contacts_;
  std::vector<SignalFigures> signals_;
  std::vector<ContactCount> repeats_;
};

inline void RecordTally::AddRecord(std::string_view topic, const Event* decoded,
                                   std::chrono::nanoseconds processing_time) {
  if (last_topic_ >= topics_.size() || topics_[last_topic_].topic != topic) {
    last_topic_ = 0;
    while (last_topic_ < topics_.size() && topics_[last_topic_].topic != topic) ++last_topic_;
    if (last_topic_ == topics_.size()) topics_.push_back({std::string(topic), 0});
  }
  ++topics_[last_topic_].records;
  if (decoded != nullptr) {
    const auto type = static_cast<size_t>(decoded->type);
    if (type < kEventTypes) ++decoded_[type];
  }
  processing_times_.push_back(processing_time);
}

inline void RecordTally::Count(std::vector<ContactCount>& counts, std::string_view reason,
                               ContactChannel channel) {
  for (ContactCount& count : counts) {
    if (count.channel == channel && count.reason == reason) {
      ++count.contacts;
      return;
    }
  }
  counts.push_back({std::string(reason), channel, 1});
}

inline void RecordTally::AddApplied(const Event& event) {
  if (const std::optional<ContactChannel> channel = OpenedContact(event)) {
    Count(contacts_, event.reason, *channel);
  }
}

inline void RecordTally::AddSignal(const Signal& signal) {
  if (signal.kind == SignalKind::kContactRepeat) {
    if (const std::optional<ContactChannel> channel = ParseContactChannel(signal.channel)) {
      Count(repeats_, signal.reason, *channel);
    }
    return;
  }
  SignalFigures& figures = signals_.emplace_back();
  figures.kind = signal.kind;
  switch (signal.kind) {
    case SignalKind::kSlaBreached:
    case SignalKind::kSlaMet:
    case SignalKind::kSlaEnded:
      figures.sla = signal.sla;
      figures.outcome = signal.outcome;
      figures.channel = ParseContactChannel(signal.channel);
      figures.elapsed_ms = signal.elapsed_ms;
      break;
    case SignalKind::kRiskUpdated:
      figures.customer_hash = std::hash<std::string_view>{}(signal.customer_id);
      figures.score = signal.score;
      break;
    case SignalKind::kEffortUpdated:
    case SignalKind::kContactRepeat:
      figures.score = signal.score;
      break;
  }
}

inline void RecordTally::Clear() {
  for (TopicCount& topic : topics_) topic.records = 0;
  decoded_.fill(0);
  processing_times_.clear();
  contacts_.clear();
  signals_.clear();
  repeats_.clear();
}

}  // namespace cx
