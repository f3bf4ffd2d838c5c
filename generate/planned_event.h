#pragma once

#include <cstdint>

#include "schemas/event.h"
#include "schemas/time.h"

namespace cx::gen {

// Optional parts of a generated event, as bits of PlannedEvent::flags.
enum PlannedFlag : uint16_t {
  kWithTier = 1 << 0,        // write `tier`
  kWithOffset = 1 << 1,      // write ts with a +02:00 offset instead of Z
  kWithSession = 1 << 2,     // click events: write `session_id`
  kWithQuery = 1 << 3,       // search: write `query`
  kWithReason = 1 << 4,      // queued/started: write `queue` and `reason`
  kWithComment = 1 << 5,     // survey: write `comment`
  kWithContactRef = 1 << 6,  // survey: write `contact_id` of the customer's contact `contact`
  kContactIsChat = 1 << 7,   // the referenced / own contact is a chat (else a call)
  kWithAgent = 1 << 8,       // call answered: write `agent_id`
  kWithHold = 1 << 9,        // call ended: write `hold_ms`
  kVip = 1 << 10,            // tier value is vip (else standard)
};

// One event of a journey before it is written: a compact value whose strings are indices
// into the tables of vocabulary.h, so a journey holds its next phase in a few hundred bytes.
struct PlannedEvent {
  EventTime ts;
  EventType type = EventType::kClick;
  Action action = Action::kNone;
  uint16_t flags = 0;
  uint8_t channel = 0;  // kChannels index
  uint8_t page = 0;     // kPages index: page_view, click, error, contact_us
  uint8_t element = 0;  // kElements index: click
  uint8_t query = 0;    // kQueries index: search
  uint8_t reason = 0;   // kReasons / kQueues index: queued, started
  uint8_t comment = 0;  // kComments index: survey
  Author author = Author::kNone;
  SurveyKind survey = SurveyKind::kNone;
  int8_t resolved = -1;  // ended: -1 absent, 0 false, 1 true
  uint16_t status = 0;   // error: HTTP status
  uint16_t agent = 0;    // answered: agent number
  uint16_t contact = 0;  // call/chat: the customer's contact number; survey: referenced one
  uint16_t session = 0;  // click: the customer's session number
  int32_t number = 0;    // search: results; survey: score; call ended: hold_ms
};

}  // namespace cx::gen
