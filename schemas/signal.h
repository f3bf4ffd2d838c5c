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
  kRiskUpdated
};

// Which response-time SLA a signal is about.
enum class SlaKind : uint8_t { kNone, kCallAnswer, kChatFirstReply, kChatNextReply };

// A derived signal. One flat value for all kinds; each kind fills the fields listed beside them
// and the JSON writer emits exactly those (see schemas/signal.*.schema.json).
struct Signal {
  std::string signal_id;  // pure function of (customer, kind, trigger), like alert_id
  SignalKind kind = SignalKind::kSlaBreached;
  std::string customer_id;
  EventTime ts;  // event time of the trigger (the deadline for a breach)

  // sla.breached, sla.met, contact.repeat
  std::string contact_id;
  std::string channel;  // "call" or "chat"
  // sla.breached, sla.met
  SlaKind sla = SlaKind::kNone;
  int64_t target_ms = 0;
  int64_t elapsed_ms = 0;  // response time, or time waited so far for a breach
  // contact.repeat
  int count_7d = 0;
  bool same_reason = false;
  // effort.updated, risk.updated
  int score = 0;
  int previous = 0;

  std::vector<std::string> event_ids;  // the events behind it
};

// "sla.breached", "sla.met", "contact.repeat", "effort.updated", "risk.updated".
std::string_view ToString(SignalKind kind);
// "call_answer", "chat_first_reply", "chat_next_reply".
std::string_view ToString(SlaKind kind);

}  // namespace cx
