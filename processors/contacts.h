#pragma once

#include "processors/step.h"
#include "schemas/event.h"
#include "state/customer_state.h"

namespace cx {

// Applies a call or chat event: the contact's lifecycle (queued/started/message/answered/
// transferred/ended/abandoned), repeat contacts (contact.repeat, repeat_contact alert), channel
// switches, transfer and abandon effort, then the contact's SLAs (see sla.h).
void ApplyContactEvent(Step& step, const Event& event);

// True when a counted contact has not been closed yet.
[[nodiscard]] bool HasOpenContact(const CustomerState& state);

// Drops closed contacts that no in-lateness event can join any more (close + lateness < the
// customer's own watermark, min(watermark, last_activity - lateness)), contacts idle for longer
// than sla.open_contact_max_idle before that, and history beyond its windows before that.
// What a state keeps thus depends only on the customer's events.
void PruneContacts(const RulesConfig& config, CustomerState& state, EventTime watermark);

}  // namespace cx
