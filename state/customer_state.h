#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "schemas/alert.h"
#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// One event_id seen for this customer (dedup). Kept sorted by ts.
struct SeenEvent {
  uint64_t id_hash = 0;  // Fnv1a64(event_id)
  EventTime ts;
  bool operator==(const SeenEvent&) const = default;
};

// A sum of points that decays exponentially: its value at `at` is `value`, and at t >= at it is
// value * 2^(-(t - at) / half_life). Uncapped (the cap applies to the reported score) so that
// adding the same points in any order gives the same value.
struct DecayingScore {
  double value = 0;
  EventTime at = EventTime::Min();
  bool operator==(const DecayingScore&) const = default;
};

// Bits of SlaFlags: what has already been emitted for one response wait.
enum SlaFlag : uint8_t {
  kSlaMetEmitted = 1,       // sla.met signalled
  kSlaBreachRecorded = 2,   // sla.breached signalled, effort and risk counted
  kSlaLongWaitAlerted = 4,  // the "unanswered >= 3 x target" alert was raised
  kSlaEndedEmitted = 8,     // the wait's end was decided (sla.ended, abandoned-after-breach)
};

// One chat message of an open chat, kept to compute reply times in event-time order.
struct ChatMessage {
  EventTime ts;
  Author author = Author::kNone;
  uint8_t sla_flags = 0;  // for the next-reply wait that starts at this message
  bool operator==(const ChatMessage&) const = default;
};

// A call or chat that is open, or closed less than the allowed lateness ago.
struct Contact {
  std::string contact_id;
  std::string open_event_id;          // the queued/started/first-message event (for reasons)
  EventType type = EventType::kCall;  // kCall or kChat
  bool counted = false;               // a queued/started/message was seen: it counts as a contact
  bool abandoned = false;
  bool abandon_alerted = false;             // the abandoned-after-breach alert was raised
  uint8_t first_sla_flags = 0;              // call answer / chat first reply wait
  EventTime opened = EventTime::Max();      // earliest event time of any of its events
  EventTime last_event = EventTime::Min();  // latest event time of any of its events
  EventTime started = EventTime::Max();     // call queued / chat started
  EventTime answered = EventTime::Max();    // call answered (calls only)
  EventTime closed = EventTime::Max();      // ended or abandoned
  std::vector<ChatMessage> messages;        // chats only, sorted by (ts, author)
  // Context for alerts about this contact (SPEC §4), the latest non-empty value its events
  // carried; empty when none did.
  std::string channel;
  std::string queue;
  std::string reason;
  bool operator==(const Contact&) const = default;
};

// A contact in the trailing history window (repeat contacts, channel switch, risk condition).
struct ContactRecord {
  uint64_t contact_hash = 0;  // Fnv1a64(contact_id)
  uint64_t reason_hash = 0;   // Fnv1a64(reason), 0 when absent
  uint64_t channel_hash = 0;  // Fnv1a64(channel, or "phone"/"chat" when absent)
  EventTime ts;
  uint8_t effort_points = 0;  // repeat + channel-switch effort added at ts (moved with ts)
  bool operator==(const ContactRecord&) const = default;
};

// A recent click, for rage-click bursts.
struct ClickMark {
  uint64_t element_hash = 0;
  EventTime ts;
  bool in_burst = false;  // already part of a counted burst
  bool operator==(const ClickMark&) const = default;
};

// A click-stream event not yet final for help-page dwell (newer than the watermark).
struct PageMark {
  EventTime ts;
  bool help = false;
  bool operator==(const PageMark&) const = default;
};

// The current self-service session.
struct Session {
  uint64_t id_hash = 0;  // Fnv1a64(session_id), 0 when no session_id was given
  EventTime start = EventTime::Min();
  EventTime last = EventTime::Min();
  int64_t help_dwell_ms = 0;  // dwell of segments that can no longer change
  uint8_t failed_searches = 0;
  bool needs_help_raised = false;
  bool cancel_intent_seen = false;  // format v2
  std::vector<PageMark> pages;      // sorted by ts; the last one is the current page
  bool operator==(const Session&) const = default;
};

// The last alert of one kind (cooldown and escalation).
struct AlertRecord {
  EventTime ts = EventTime::Min();  // Min: never alerted
  Severity severity = Severity::kWarning;
  bool operator==(const AlertRecord&) const = default;
};

// The last alert of each kind (AlertRecord by AlertKind). Most customers are never alerted, so
// the records live in a heap block that the first write allocates; until then every kind reads
// as never alerted. A value type: copies are deep, equality compares the records (no block
// equals a block of never-alerted records).
class AlertRecords {
 public:
  AlertRecords() = default;
  AlertRecords(const AlertRecords& other)
      : records_(other.records_ ? std::make_unique<Array>(*other.records_) : nullptr) {}
  AlertRecords& operator=(const AlertRecords& other) {
    if (this != &other) {
      records_ = other.records_ ? std::make_unique<Array>(*other.records_) : nullptr;
    }
    return *this;
  }
  AlertRecords(AlertRecords&&) noexcept = default;
  AlertRecords& operator=(AlertRecords&&) noexcept = default;
  ~AlertRecords() = default;

  static constexpr size_t size() { return kAlertKindCount; }
  // The record of kind `kind` (< size()).
  const AlertRecord& operator[](size_t kind) const { return records_ ? (*records_)[kind] : kNever; }
  // The record of kind `kind` to change; allocates the block on first use.
  AlertRecord& Mutable(size_t kind) {
    if (!records_) records_ = std::make_unique<Array>();
    return (*records_)[kind];
  }
  // Every kind never alerted again; frees the block.
  void Clear() { records_.reset(); }
  // Bytes of the heap block (0 without one), for memory estimates.
  size_t HeapBytes() const { return records_ ? sizeof(Array) : 0; }

  bool operator==(const AlertRecords& other) const {
    for (size_t i = 0; i < size(); ++i) {
      if (!((*this)[i] == other[i])) return false;
    }
    return true;
  }

 private:
  using Array = std::array<AlertRecord, kAlertKindCount>;
  static inline const AlertRecord kNever{};
  std::unique_ptr<Array> records_;
};

// One survey answer, kept so that a rep sees what the customer said (/customers/{id}).
struct SurveyAnswer {
  EventTime ts;
  SurveyKind survey = SurveyKind::kNone;
  int32_t score = 0;
  std::string contact_id;  // empty when the answer named no contact
  std::string comment;     // at most kMaxSurveyCommentBytes, cut at a UTF-8 boundary
  bool operator==(const SurveyAnswer&) const = default;
};
inline constexpr size_t kMaxSurveyAnswers = 5;
inline constexpr size_t kMaxSurveyCommentBytes = 1000;

// Everything cxpulse remembers about one customer. A plain value type: copyable, comparable,
// no pointers into other objects. The rules in processors/ are functions over it; the codec in
// state/customer_state_codec.h persists it. Every vector is pruned by a time window and capped.
struct CustomerState {
  // Latest event time applied to this customer (drives eviction after inactivity).
  EventTime last_activity = EventTime::Min();
  // The earliest pending timer (EventTime::Max() when none); what NextDeadline returns.
  EventTime next_deadline = EventTime::Max();

  std::vector<SeenEvent> seen;                     // dedup window, sorted by ts
  std::vector<Contact> contacts;                   // open (and just-closed) contacts
  std::vector<ContactRecord> history;              // contacts of the trailing 7 days, sorted by ts
  std::vector<EventTime> breaches;                 // SLA breaches of the trailing 7 days, sorted
  EventTime last_self_service = EventTime::Min();  // help page, search or contact_us
  std::vector<ClickMark> clicks;                   // rage-click window
  Session session;

  DecayingScore effort;
  DecayingScore risk;
  // Latest `tier` seen. (Beside the other one-byte fields: a cache slot holding the state then
  // fits the allocator's 320-byte size class.)
  Tier tier = Tier::kUnset;
  uint8_t effort_emitted = 0;  // last score signalled in effort.updated
  uint8_t risk_emitted = 0;    // last score signalled in risk.updated
  bool effort_armed = true;    // high_effort may fire (hysteresis)
  bool risk_armed = true;      // at_risk may fire (hysteresis)
  AlertRecords alerts;
  // The latest kMaxSurveyAnswers survey answers, sorted by ts (format v4).
  std::vector<SurveyAnswer> surveys;

  bool operator==(const CustomerState&) const = default;
};

}  // namespace cx
