#pragma once

#include <cstdint>
#include <string_view>

#include "schemas/time.h"

namespace cx {

// The source stream of an event (SPEC §1).
enum class EventType : uint8_t { kClick, kCall, kChat, kSurvey };

// The lifecycle step. Click actions, then call/chat actions. Surveys carry kNone.
enum class Action : uint8_t {
  kNone,
  // click
  kPageView,
  kClick,
  kSearch,
  kError,
  kContactUs,
  // call and chat
  kQueued,       // call only
  kStarted,      // chat only
  kMessage,      // chat only
  kAnswered,     // call only
  kTransferred,  // call and chat
  kEnded,        // call and chat
  kAbandoned,    // call and chat
};

enum class Tier : uint8_t { kUnset, kStandard, kVip };
enum class Author : uint8_t { kNone, kCustomer, kAgent, kBot };
enum class SurveyKind : uint8_t { kNone, kCsat, kNps, kCes };

// A decoded input event (SPEC §1). A plain value whose string fields are views: they point into
// the decoder's buffer and stay valid only until the next Decode() on the same Decoder (or until
// the input bytes go away). Anything kept longer must be copied. An empty view means "absent".
struct Event {
  EventType type = EventType::kClick;
  Action action = Action::kNone;
  EventTime ts;
  std::string_view event_id;
  std::string_view customer_id;
  Tier tier = Tier::kUnset;
  std::string_view channel;

  // click
  std::string_view page;        // page_view, click, error (required); search (optional)
  std::string_view element;     // click
  std::string_view session_id;  // optional on every click event
  std::string_view query;       // search, optional
  int64_t results = -1;         // search: >= 0
  int32_t status = 0;           // error: HTTP status

  // call and chat
  std::string_view contact_id;    // required on every call/chat event
  std::string_view queue;         // queued / started, optional
  std::string_view reason;        // queued / started, optional
  std::string_view agent_id;      // answered, optional
  Author author = Author::kNone;  // chat message: required
  int8_t resolved = -1;           // ended: -1 absent, 0 false, 1 true
  int64_t hold_ms = -1;           // call ended, optional; -1 absent

  // survey
  SurveyKind survey = SurveyKind::kNone;
  int32_t score = -1;
  std::string_view comment;  // optional (contact_id above is optional here too)
};

}  // namespace cx
