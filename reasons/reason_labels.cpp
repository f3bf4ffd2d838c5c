#include "reasons/reason_labels.h"

#include <algorithm>
#include <utility>

namespace cx {
namespace {

constexpr size_t kMaxReasonBytes = 64;

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

}  // namespace

ReasonLabels::ReasonLabels(std::vector<std::string> known) : known_(std::move(known)) {
  if (known_.size() >= kMaxReasonLabels) known_.resize(kMaxReasonLabels - 1);
}

size_t ReasonLabels::Index(std::string_view reason) const {
  for (size_t i = 0; i < known_.size(); ++i) {
    if (known_[i] == reason) return i;
  }
  return other_index();
}

std::string_view ReasonLabels::Name(size_t index) const {
  return index < known_.size() ? std::string_view(known_[index]) : kOther;
}

std::vector<std::string> DefaultReasons() {
  return {"billing", "delivery", "login", "cancel", "technical"};
}

Result<void> ValidateReasonList(const std::vector<std::string>& known) {
  if (known.size() >= ReasonLabels::kMaxReasonLabels) {
    return Err("at most " + std::to_string(ReasonLabels::kMaxReasonLabels - 1) + " reasons (" +
               std::to_string(ReasonLabels::kMaxReasonLabels) +
               " label values with \"other\"), got " + std::to_string(known.size()));
  }
  for (size_t i = 0; i < known.size(); ++i) {
    const std::string& reason = known[i];
    const std::string where = "[" + std::to_string(i) + "]: ";
    if (reason.empty() || reason.size() > kMaxReasonBytes) {
      return Err(where + "expected 1 to " + std::to_string(kMaxReasonBytes) + " characters");
    }
    if (HasControlCharacter(reason)) {
      return Err(where + "a reason cannot hold control characters");
    }
    if (reason == ReasonLabels::kOther) {
      return Err(where + "\"other\" is reserved for reasons not in the list");
    }
    if (std::find(known.begin(), known.begin() + static_cast<std::ptrdiff_t>(i), reason) !=
        known.begin() + static_cast<std::ptrdiff_t>(i)) {
      std::string twice = where;
      twice += "'";
      twice += reason;
      twice += "' is listed twice";
      return Err(std::move(twice));
    }
  }
  return Ok();
}

std::string_view ToString(ContactChannel channel) {
  return channel == ContactChannel::kCall ? "call" : "chat";
}

std::optional<ContactChannel> OpenedContact(const Event& event) {
  if (event.type == EventType::kCall && event.action == Action::kQueued) {
    return ContactChannel::kCall;
  }
  if (event.type == EventType::kChat && event.action == Action::kStarted) {
    return ContactChannel::kChat;
  }
  return std::nullopt;
}

std::optional<ContactChannel> ParseContactChannel(std::string_view name) {
  if (name == "call") return ContactChannel::kCall;
  if (name == "chat") return ContactChannel::kChat;
  return std::nullopt;
}

}  // namespace cx
