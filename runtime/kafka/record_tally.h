#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reasons/reason_labels.h"
#include "schemas/event.h"

namespace cx {

// What the per-record metrics need of the input records a processing thread consumed since it
// last reported them: counted on that thread with no lock and no atomic, and handed to the
// observers once per processing turn (LiveObserver::OnRecordsProcessed). Per record, a lock
// shared by the processing threads and three atomic updates of shared metrics cost ≈ 6 % of a
// processing thread's CPU in a 100 k-customer drain on two threads, with futex waits where the
// threads met (bench/RESULTS.md, "The per-record metrics, once per turn").
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
  static constexpr size_t kEventTypes = 4;

  // One record consumed from `topic`; `decoded` is null when it became a dead letter.
  void AddRecord(std::string_view topic, const Event* decoded,
                 std::chrono::nanoseconds processing_time);
  // The last record's event was applied (it passed dedup): counts the contact it opened, if any.
  void AddApplied(const Event& event);
  // Forgets the records (keeps the topics' entries and the buffers' capacity).
  void Clear();

  [[nodiscard]] bool empty() const { return processing_times_.empty(); }
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

 private:
  std::vector<TopicCount> topics_;
  size_t last_topic_ = 0;  // the entry the previous record's topic matched
  std::array<uint64_t, kEventTypes> decoded_{};
  std::vector<std::chrono::nanoseconds> processing_times_;
  std::vector<ContactCount> contacts_;
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

inline void RecordTally::AddApplied(const Event& event) {
  const std::optional<ContactChannel> channel = OpenedContact(event);
  if (!channel) return;
  for (ContactCount& count : contacts_) {
    if (count.channel == *channel && count.reason == event.reason) {
      ++count.contacts;
      return;
    }
  }
  contacts_.push_back({std::string(event.reason), *channel, 1});
}

inline void RecordTally::Clear() {
  for (TopicCount& topic : topics_) topic.records = 0;
  decoded_.fill(0);
  processing_times_.clear();
  contacts_.clear();
}

}  // namespace cx
