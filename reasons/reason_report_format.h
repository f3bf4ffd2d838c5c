#pragma once

#include <string>

#include "reasons/reason_report.h"

namespace cx {

// The report as a reader sees it: a summary line, a table of reasons (contacts, share, by
// channel, repeats, repeat share, first-contact resolution: "-" where no first contact had a
// known `resolved`), then contacts per day for the top reasons (at most kTrendColumns; the rest
// summed as "rest"). Ends with a newline.
inline constexpr size_t kTrendColumns = 6;
[[nodiscard]] std::string FormatReasonReportText(const ReasonReport& report);

// The report as one JSON object (and a newline): contacts, repeats, lines, invalid_lines,
// duplicates, reasons [{reason, contacts, share, call, chat, repeats, repeat_share,
// first_contacts_with_outcome, first_contact_resolution (null when unknown)}], days [{date,
// contacts, by_reason {reason: contacts, only reasons with contacts}}]. Shares are fractions
// rounded to 4 decimals.
[[nodiscard]] std::string FormatReasonReportJson(const ReasonReport& report);

}  // namespace cx
