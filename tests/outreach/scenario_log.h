#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "outreach/alert_reader.h"
#include "outreach/case.h"
#include "outreach/case_book.h"
#include "outreach/command.h"
#include "outreach/command_json.h"
#include "outreach/log_merge.h"

namespace cx::test {

// The lines of a JSON Lines file (empty lines skipped); empty when the file does not exist.
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Replaces every "@customer/alert_id" string value with CaseId(customer, alert_id), so scenario
// files can name a case before its id is known.
inline std::string ResolveCaseRefs(const std::string& line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (line.compare(i, 2, "\"@") == 0) {
      const size_t end = line.find('"', i + 2);
      const std::string ref = line.substr(i + 2, end - i - 2);
      const size_t slash = ref.find('/');
      out += '"' + CaseId(ref.substr(0, slash), ref.substr(slash + 1)) + '"';
      i = end + 1;
    } else {
      out += line[i++];
    }
  }
  return out;
}

// One partition's worth of both logs, decoded.
struct OutreachLog {
  std::vector<Alert> alerts;
  std::vector<Command> commands;

  // Reads alerts.jsonl and commands.jsonl of a scenario folder; the reason of a bad line.
  [[nodiscard]] Result<void> Load(const std::string& dir) {
    for (const std::string& line : ReadLines(dir + "/alerts.jsonl")) {
      if (Result<void> decoded = DecodeAlertJson(line, alerts.emplace_back()); !decoded) {
        return decoded;
      }
    }
    for (const std::string& line : ReadLines(dir + "/commands.jsonl")) {
      Result<void> decoded = DecodeCommandJson(ResolveCaseRefs(line), commands.emplace_back());
      if (!decoded) {
        return decoded;
      }
    }
    return Ok();
  }

  // The merged order of SPEC §7 (record timestamp = the value's ts).
  std::vector<MergeStep> Order() const {
    std::vector<EventTime> a;
    std::vector<EventTime> c;
    for (const Alert& alert : alerts) a.push_back(alert.ts);
    for (const Command& command : commands) c.push_back(command.ts);
    return MergeByTimestamp(a, c);
  }

  // Folds `step` into `book`; a command's result goes to `results` (when not null).
  void Apply(const MergeStep& step, CaseBook& book, std::vector<Escalation>& escalations,
             std::vector<CommandResult>* results) const {
    if (step.source == LogSource::kAlerts) {
      book.ApplyAlert(alerts[step.index], escalations);
      return;
    }
    CommandResult result = book.ApplyCommand(commands[step.index], escalations);
    if (results != nullptr) results->push_back(std::move(result));
  }
};

}  // namespace cx::test
