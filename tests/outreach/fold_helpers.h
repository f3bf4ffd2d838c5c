#pragma once

#include <string>
#include <vector>

#include "outreach/case_book.h"
#include "outreach/case_json.h"
#include "outreach/command.h"
#include "schemas/alert.h"

namespace cx::test {

// Minutes after 2026-10-05T09:00:00Z.
inline EventTime At(double minutes) {
  return EventTime::FromMillis(1'791'190'800'000 + static_cast<int64_t>(minutes * 60'000));
}

inline Alert MakeAlert(std::string id, std::string customer, AlertKind kind, Severity severity,
                       EventTime ts) {
  Alert a;
  a.alert_id = std::move(id);
  a.customer_id = std::move(customer);
  a.kind = kind;
  a.severity = severity;
  a.ts = ts;
  a.reasons.push_back({"code_" + std::string(ToString(kind)), "detail", {"e-1"}});
  return a;
}

inline Command MakeCommand(std::string id, std::string case_id, std::string rep, CommandKind kind,
                           EventTime ts) {
  Command c;
  c.command_id = std::move(id);
  c.case_id = std::move(case_id);
  c.rep = std::move(rep);
  c.kind = kind;
  c.ts = ts;
  if (kind == CommandKind::kResolve) c.outcome = Outcome::kReached;
  return c;
}

// Every kept case as JSON Lines, in case_id order.
inline std::string CasesJsonl(const CaseBook& book) {
  std::string out;
  for (const auto& [id, c] : book.Cases()) {
    AppendCaseJson(c, out);
    out += '\n';
  }
  return out;
}

}  // namespace cx::test
