#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/time.h"

namespace cx {

// SPEC §4 derived signals, written to cx.signals / --signals.
enum class SignalKind : uint8_t {
  kSlaBreached,
  kSlaMet,
  kContactRepeat,
  kEffortUpdated,
  kRiskUpdated,
  kSlaEnded
};

// Which response-time SLA a signal is about.
enum class SlaKind : uint8_t { kNone, kCallAnswer, kChatFirstReply, kChatNextReply };

// How a response wait ended (sla.met, sla.ended) or stood (sla.breached: still waiting at the
// deadline).
enum class SlaOutcome : uint8_t { kAnswered, kAbandoned, kBreached };

// A derived signal. One flat value for all kinds; each kind fills the fields listed beside them
// and the JSON writer emits exactly those (see schemas/signal.*.schema.json).
struct Signal {
  std::string signal_id;  // pure function of (customer, kind, trigger), like alert_id
  SignalKind kind = SignalKind::kSlaBreached;
  std::string customer_id;
  EventTime ts;  // event time of the trigger (the deadline for a breach)

  // sla.breached, sla.met, sla.ended, contact.repeat
  std::string contact_id;
  std::string channel;  // "call" or "chat"
  // sla.breached, sla.met, sla.ended
  SlaKind sla = SlaKind::kNone;
  int64_t target_ms = 0;
  // The wait's real length: the response time (sla.met), the time to the late response or to
  // the close (sla.ended), the target (sla.breached: waited so far).
  int64_t elapsed_ms = 0;
  SlaOutcome outcome = SlaOutcome::kAnswered;
  // contact.repeat
  int count_7d = 0;
  bool same_reason = false;
  // contact.repeat: the repeat contact's `reason` as far as known when it was counted (empty:
  // none given yet; the JSON field is then omitted).
  std::string reason;
  // effort.updated, risk.updated
  int score = 0;
  int previous = 0;

  std::vector<std::string> event_ids;  // the events behind it
};

// "sla.breached", "sla.met", "sla.ended", "contact.repeat", "effort.updated", "risk.updated".
std::string_view ToString(SignalKind kind);
// "answered", "abandoned", "breached".
std::string_view ToString(SlaOutcome outcome);
// "call_answer", "chat_first_reply", "chat_next_reply".
std::string_view ToString(SlaKind kind);

}  // namespace cx
