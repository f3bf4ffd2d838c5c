#pragma once

#include <string>
#include <string_view>

#include "outreach/case_book.h"
#include "schemas/alert.h"

namespace cx {

// The request bodies of SPEC §8's destinations. Pure: the same input gives the same bytes.

// `proactive_chat`: offer this customer a chat now. {"type":"proactive_chat.offer",
// "alert_id", "customer_id", "ts", "channel" (when known), "action":"offer_chat",
// "alert": <the alert as AppendAlertJson writes it>}.
[[nodiscard]] std::string ProactiveChatBody(const Alert& alert);

// `slack` (an incoming-webhook message in Block Kit): a header naming the kind and severity,
// who (customer, tier, channel, queue, reason), why (each reason's detail), what to do (the
// recommended action in words), and a link to the customer on the outreach page
// (`public_url`/#customer=<id>; omitted when public_url is empty). `text` is the plain
// fallback for notifications.
[[nodiscard]] std::string SlackAlertBody(const Alert& alert, std::string_view public_url);

// `escalation` with format slack: the same shape for an escalated case, linking
// `public_url`/#case=<case_id>.
[[nodiscard]] std::string SlackEscalationBody(const Escalation& escalation,
                                              std::string_view public_url);

// `escalation` with format json: AppendEscalationJson.
[[nodiscard]] std::string EscalationBody(const Escalation& escalation);

// The rep's instruction for a recommended action ("callback" -> "Call the customer back ...").
[[nodiscard]] std::string_view ActionText(std::string_view recommended_action);

}  // namespace cx
