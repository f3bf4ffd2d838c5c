#include "reasons/reason_report.h"

#include <algorithm>

#include "schemas/stable_hash.h"
#include "schemas/timestamp.h"

namespace cx {
namespace {

constexpr int64_t kDayMs = 86'400'000;

int64_t DayOf(EventTime ts) { return ts.ms >= 0 ? ts.ms / kDayMs : (ts.ms - kDayMs + 1) / kDayMs; }

std::string DateOf(int64_t day) {
  std::string text;
  AppendRfc3339Millis(EventTime::FromMillis(day * kDayMs), text);
  return text.substr(0, 10);
}

}  // namespace

ReasonReportBuilder::ReasonReportBuilder(const ReasonLabels& labels)
    : labels_(labels), rows_(labels.size()) {
  for (size_t i = 0; i < rows_.size(); ++i) rows_[i].reason = std::string(labels.Name(i));
}

ReasonReportBuilder::ContactEntry& ReasonReportBuilder::Entry(std::string_view customer_id,
                                                              std::string_view contact_id) {
  auto key = static_cast<uint64_t>(Fnv1a128({customer_id, contact_id}));
  return contacts_[key];
}

void ReasonReportBuilder::AddEvent(const Event& event) {
  if (event.type != EventType::kCall && event.type != EventType::kChat) return;
  if (std::optional<ContactChannel> channel = OpenedContact(event)) {
    const size_t label = labels_.Index(event.reason);
    ReasonRow& row = rows_[label];
    ++row.contacts;
    ++row.by_channel[static_cast<size_t>(*channel)];
    std::vector<uint64_t>& day = days_[DayOf(event.ts)];
    day.resize(labels_.size());
    ++day[label];
    Entry(event.customer_id, event.contact_id).reason = static_cast<uint8_t>(label);
  } else if (event.action == Action::kEnded && event.resolved >= 0) {
    Entry(event.customer_id, event.contact_id).resolved = event.resolved;
  }
}

void ReasonReportBuilder::AddSignal(const Signal& signal) {
  if (signal.kind != SignalKind::kContactRepeat) return;
  ++rows_[labels_.Index(signal.reason)].repeats;
  Entry(signal.customer_id, signal.contact_id).repeat = true;
}

ReasonReport ReasonReportBuilder::Build() const {
  ReasonReport report;
  std::vector<ReasonRow> rows = rows_;
  for (const auto& [key, entry] : contacts_) {
    if (entry.reason == ContactEntry::kNotOpened || entry.repeat || entry.resolved < 0) continue;
    ReasonRow& row = rows[entry.reason];
    ++row.first_contacts_with_outcome;
    if (entry.resolved > 0) ++row.first_contacts_resolved;
  }
  for (size_t i = 0; i < labels_.size(); ++i) report.labels.emplace_back(labels_.Name(i));
  for (const ReasonRow& row : rows) {
    report.contacts += row.contacts;
    report.repeats += row.repeats;
    if (row.contacts > 0 || row.repeats > 0) report.rows.push_back(row);
  }
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const ReasonRow& a, const ReasonRow& b) { return a.contacts > b.contacts; });
  for (const auto& [day, counts] : days_) {
    ReasonDay& out = report.days.emplace_back();
    out.date = DateOf(day);
    out.by_reason = counts;
    for (uint64_t n : counts) out.contacts += n;
  }
  return report;
}

}  // namespace cx
