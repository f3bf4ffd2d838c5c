#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "generate/event_writer.h"
#include "generate/rng.h"
#include "schemas/event.h"
#include "schemas/time.h"

namespace cx::gen {

// The kinds of bad input (SPEC §2) the generator writes; each must end in the dead letters.
enum class InvalidKind : uint8_t {
  kNotJson,          // truncated JSON
  kNotObject,        // a JSON array
  kMissingField,     // a required field absent (customer_id, ts, type, page or contact_id)
  kMistypedField,    // a required field of the wrong JSON type
  kEmptyEventId,     // event_id of 0 chars
  kUnknownType,      // type "fax"
  kUnknownAction,    // an action the type does not have
  kUnknownSurvey,    // survey "stars"
  kOutOfRange,       // a survey score out of its range, or negative search results
  kBadTimestamp,     // not RFC 3339 with offset
  kFutureTimestamp,  // year 2999, far ahead of any wall clock
  kOversize,         // over 64 KiB
};
inline constexpr size_t kInvalidKindCount = 12;

std::string_view InvalidKindName(InvalidKind kind);

struct InvalidLine {
  InvalidKind kind;
  EventType topic;  // the source stream it is sent to
};

// Appends (no newline) one bad line for customer `customer`, kind drawn from `rng` (oversize
// lines ten times rarer than the others). `bad_seq` makes its event_id `x-<number>-<bad_seq>`
// unique and distinct from every valid event id; `ts` is the time written where a time fits.
InvalidLine AppendInvalidLine(std::string& out, EventWriter& writer, Rng& rng, uint64_t customer,
                              uint64_t bad_seq, EventTime ts);

}  // namespace cx::gen
