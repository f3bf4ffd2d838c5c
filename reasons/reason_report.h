#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "reasons/reason_labels.h"
#include "schemas/event.h"
#include "schemas/signal.h"

namespace cx {

// One reason's line of the contact-reasons report (SPEC §9).
struct ReasonRow {
  std::string reason;  // a configured reason or "other"
  // Contacts opened (call queued, chat started), in all and by ContactChannel.
  uint64_t contacts = 0;
  std::array<uint64_t, kContactChannelCount> by_channel{};
  // contact.repeat signals carrying this reason.
  uint64_t repeats = 0;
  // First contacts (opened, not a repeat) whose `ended` carried `resolved`, and of those the
  // ones with resolved = true: first-contact resolution = resolved / with_outcome.
  uint64_t first_contacts_with_outcome = 0;
  uint64_t first_contacts_resolved = 0;

  bool operator==(const ReasonRow&) const = default;
};

// Contacts opened on one UTC day (event time), per reason label (ReasonLabels order).
struct ReasonDay {
  std::string date;  // YYYY-MM-DD
  uint64_t contacts = 0;
  std::vector<uint64_t> by_reason;

  bool operator==(const ReasonDay&) const = default;
};

// The report of `cxpulse reasons`, the same counts as the live metrics
// cxpulse_contacts_total{reason,channel} and cxpulse_repeat_contacts_total{reason,channel}.
struct ReasonReport {
  uint64_t contacts = 0;
  uint64_t repeats = 0;
  // Rows with at least one contact or repeat, by contacts (descending), then list order.
  std::vector<ReasonRow> rows;
  // Label names in ReasonLabels order (the columns of ReasonDay::by_reason).
  std::vector<std::string> labels;
  // Days with at least one contact, in date order.
  std::vector<ReasonDay> days;
  // Input counts the caller fills in (lines read, dead letters, duplicate events).
  uint64_t lines = 0;
  uint64_t invalid_lines = 0;
  uint64_t duplicates = 0;
};

// Folds what a shard applies and emits into a ReasonReport. Pure: no I/O, no clock; the same
// calls in the same order give the same report. Contacts are told apart by (customer_id,
// contact_id) hashes; memory grows with the contacts seen (one small entry each).
class ReasonReportBuilder {
 public:
  explicit ReasonReportBuilder(const ReasonLabels& labels);

  // An event the shard applied (neither a dead letter nor a duplicate).
  void AddEvent(const Event& event);
  // A signal the shard emitted; only contact.repeat counts.
  void AddSignal(const Signal& signal);
  [[nodiscard]] ReasonReport Build() const;

 private:
  struct ContactEntry {
    static constexpr uint8_t kNotOpened = 0xff;
    uint8_t reason = kNotOpened;  // label index once opened
    bool repeat = false;
    int8_t resolved = -1;  // the last `ended`'s resolved: -1 unknown, 0, 1
  };
  ContactEntry& Entry(std::string_view customer_id, std::string_view contact_id);

  const ReasonLabels& labels_;
  std::vector<ReasonRow> rows_;                    // by label index
  std::map<int64_t, std::vector<uint64_t>> days_;  // days since the epoch -> per label index
  std::unordered_map<uint64_t, ContactEntry> contacts_;
};

}  // namespace cx
