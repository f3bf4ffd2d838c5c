#include "reasons/reason_report_format.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "schemas/json_writer.h"

namespace cx {
namespace {

double Ratio(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::string Percent(uint64_t part, uint64_t whole) {
  return fmt::format("{:.1f}%", 100.0 * Ratio(part, whole));
}

std::string Fraction(double value) {
  return fmt::format("{}", std::round(value * 10000.0) / 10000.0);
}

size_t LabelIndex(const ReasonReport& report, const std::string& reason) {
  auto it = std::find(report.labels.begin(), report.labels.end(), reason);
  return static_cast<size_t>(it - report.labels.begin());
}

std::string FirstContactResolution(const ReasonRow& row) {
  if (row.first_contacts_with_outcome == 0) return "-";
  return fmt::format("{} of {}",
                     Percent(row.first_contacts_resolved, row.first_contacts_with_outcome),
                     row.first_contacts_with_outcome);
}

void AppendTrend(const ReasonReport& report, std::string& out) {
  const size_t columns = std::min(report.rows.size(), kTrendColumns);
  const bool rest = report.rows.size() > columns;
  out += fmt::format("\nContacts per day (UTC)\n{:<10}  {:>8}", "date", "total");
  for (size_t c = 0; c < columns; ++c) out += fmt::format("  {:>10}", report.rows[c].reason);
  if (rest) out += fmt::format("  {:>10}", "rest");
  out += '\n';
  for (const ReasonDay& day : report.days) {
    out += fmt::format("{:<10}  {:>8}", day.date, day.contacts);
    uint64_t shown = 0;
    for (size_t c = 0; c < columns; ++c) {
      const size_t label = LabelIndex(report, report.rows[c].reason);
      const uint64_t n = label < day.by_reason.size() ? day.by_reason[label] : 0;
      shown += n;
      out += fmt::format("  {:>10}", n);
    }
    if (rest) out += fmt::format("  {:>10}", day.contacts - shown);
    out += '\n';
  }
}

}  // namespace

std::string FormatReasonReportText(const ReasonReport& report) {
  std::string out = fmt::format(
      "Contact reasons: {} contacts, {} repeat contacts ({}); {} lines read, {} invalid, {} "
      "duplicate events\n",
      report.contacts, report.repeats, Percent(report.repeats, report.contacts), report.lines,
      report.invalid_lines, report.duplicates);
  if (report.rows.empty()) {
    out += "No contacts (call queued, chat started) in the input.\n";
    return out;
  }
  size_t width = 6;
  for (const ReasonRow& row : report.rows) width = std::max(width, row.reason.size());
  out += fmt::format("\n{:<{}}  {:>8}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  {}\n", "reason", width,
                     "contacts", "share", "call", "chat", "repeats", "repeat%",
                     "first-contact "
                     "resolution");
  for (const ReasonRow& row : report.rows) {
    out += fmt::format("{:<{}}  {:>8}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  {}\n", row.reason, width,
                       row.contacts, Percent(row.contacts, report.contacts), row.by_channel[0],
                       row.by_channel[1], row.repeats, Percent(row.repeats, row.contacts),
                       FirstContactResolution(row));
  }
  AppendTrend(report, out);
  return out;
}

std::string FormatReasonReportJson(const ReasonReport& report) {
  std::string out = fmt::format(
      "{{\"contacts\":{},\"repeats\":{},\"lines\":{},\"invalid_lines\":{},\"duplicates\":{},"
      "\"reasons\":[",
      report.contacts, report.repeats, report.lines, report.invalid_lines, report.duplicates);
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const ReasonRow& row = report.rows[i];
    out += i == 0 ? "{\"reason\":" : ",{\"reason\":";
    AppendJsonString(row.reason, out);
    out += fmt::format(
        ",\"contacts\":{},\"share\":{},\"call\":{},\"chat\":{},\"repeats\":{},\"repeat_share\":{},"
        "\"first_contacts_with_outcome\":{},\"first_contact_resolution\":{}}}",
        row.contacts, Fraction(Ratio(row.contacts, report.contacts)), row.by_channel[0],
        row.by_channel[1], row.repeats, Fraction(Ratio(row.repeats, row.contacts)),
        row.first_contacts_with_outcome,
        row.first_contacts_with_outcome == 0
            ? std::string("null")
            : Fraction(Ratio(row.first_contacts_resolved, row.first_contacts_with_outcome)));
  }
  out += "],\"days\":[";
  for (size_t d = 0; d < report.days.size(); ++d) {
    const ReasonDay& day = report.days[d];
    out += fmt::format("{}{{\"date\":\"{}\",\"contacts\":{},\"by_reason\":{{", d == 0 ? "" : ",",
                       day.date, day.contacts);
    bool first = true;
    for (size_t label = 0; label < day.by_reason.size() && label < report.labels.size(); ++label) {
      if (day.by_reason[label] == 0) continue;
      if (!first) out += ',';
      first = false;
      AppendJsonString(report.labels[label], out);
      out += fmt::format(":{}", day.by_reason[label]);
    }
    out += "}}";
  }
  out += "]}\n";
  return out;
}

}  // namespace cx
