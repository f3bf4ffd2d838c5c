#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/event.h"
#include "schemas/result.h"

namespace cx {

// The `reason` label values of the contact metrics and the rows of `cxpulse reasons` (SPEC §9):
// the configured reasons in their configured order, then "other" for every reason not in the
// list and for contacts without one. A bounded label set: at most kMaxReasonLabels values.
class ReasonLabels {
 public:
  // At most this many label values, "other" included (SPEC §9: at most 50).
  static constexpr size_t kMaxReasonLabels = 50;
  static constexpr std::string_view kOther = "other";

  // `known` must pass ValidateReasonList (else the labels are unspecified but bounded: entries
  // past the limit are dropped).
  explicit ReasonLabels(std::vector<std::string> known);

  // The label index of an event's or a signal's reason: its position in the list, else
  // other_index(). Exact, case-sensitive match.
  [[nodiscard]] size_t Index(std::string_view reason) const;
  [[nodiscard]] std::string_view Name(size_t index) const;
  [[nodiscard]] size_t other_index() const { return known_.size(); }
  // Label values, "other" included.
  [[nodiscard]] size_t size() const { return known_.size() + 1; }

 private:
  std::vector<std::string> known_;
};

// The default `reasons.known` list (config/cxpulse.yaml): the reasons the generator and the demo
// use.
[[nodiscard]] std::vector<std::string> DefaultReasons();

// Success when `known` can be the reason list; else one line naming the problem: more than
// kMaxReasonLabels - 1 entries, an empty or overlong (over 64 bytes) entry, one with a control
// character, "other" (reserved), or an entry given twice. Entry problems start with "[i]: ".
[[nodiscard]] Result<void> ValidateReasonList(const std::vector<std::string>& known);

// The channels of the contact metrics: a call or a chat (SPEC §3).
enum class ContactChannel : uint8_t { kCall, kChat };
inline constexpr size_t kContactChannelCount = 2;
// "call", "chat".
[[nodiscard]] std::string_view ToString(ContactChannel channel);

// The channel of a contact opened by `event` when it opens one that the contact metrics count
// (a call `queued`, a chat `started`); nullopt for every other event. Live metrics and the
// report count the same events: each applied (not duplicate) event once.
[[nodiscard]] std::optional<ContactChannel> OpenedContact(const Event& event);
// The channel named in a signal ("call" or "chat"); nullopt for anything else.
[[nodiscard]] std::optional<ContactChannel> ParseContactChannel(std::string_view name);

}  // namespace cx
