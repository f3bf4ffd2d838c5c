#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "generate/planned_event.h"
#include "schemas/survey_name.h"
#include "schemas/time.h"

namespace cx::gen {

// Writes planned events as JSON Lines exactly in the shape of SPEC §1. Keeps a one-day date
// cache, so it is not thread-safe; use one per thread. Ids:
//   customer_id `c-<number>`, event_id `e-<number>-<seq>`, session_id `s-<number>-<session>`,
//   contact_id `call-<number>-<contact>` / `chat-<number>-<contact>`, agent_id `agent-<agent>`,
// where <number> is the customer number zero-padded to `id_width` digits.
class EventWriter {
 public:
  EventWriter(bool epoch_millis_ts, int id_width)
      : epoch_millis_ts_(epoch_millis_ts), id_width_(id_width) {}

  // Appends the line of `e` (no newline), the `seq`-th event of customer `customer`.
  void Append(std::string& out, const PlannedEvent& e, uint64_t customer, uint64_t seq);

  // Appends `c-<number>`.
  void AppendCustomerId(std::string& out, uint64_t customer) const;

  // Appends the zero-padded customer number.
  void AppendNumber(std::string& out, uint64_t customer) const;

  // Appends the ts value as written in lines: a quoted RFC 3339 string with milliseconds (UTC
  // `Z`, or `+02:00` local time when with_offset) or, with epoch_millis_ts, a bare integer.
  void AppendTs(std::string& out, EventTime ts, bool with_offset);

  // Writes `ts` shifted by `offset_minutes` as in AppendRfc3339 into `buf` (at least 29
  // bytes); returns the end.
  char* WriteRfc3339(char* buf, EventTime ts, int offset_minutes);

  bool epoch_millis_ts() const { return epoch_millis_ts_; }

 private:
  bool epoch_millis_ts_;
  int id_width_;
  int64_t cached_day_ = INT64_MIN;  // the day whose "YYYY-MM-DDT" is in cached_date_
  char cached_date_[11] = {};
};

// Appends `ts` shifted by `offset_minutes` as `YYYY-MM-DDTHH:MM:SS.mmm` followed by `Z` (offset
// 0) or `+HH:MM` / `-HH:MM`. Unquoted. Proleptic Gregorian, years 0000-9999.
void AppendRfc3339(std::string& out, EventTime ts, int offset_minutes);

// The JSON name of a type, action or author as SPEC §1 spells it (a survey kind's:
// schemas/survey_name.h).
std::string_view TypeName(EventType type);
std::string_view ActionName(Action action);
using cx::SurveyName;
std::string_view AuthorName(Author author);

}  // namespace cx::gen
