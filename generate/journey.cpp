#include "generate/journey.h"

#include "generate/vocabulary.h"

namespace cx::gen {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
// Events reserved per visit: most phases fit, the longest struggle sessions grow once.
constexpr size_t kPhaseCapacity = 16;

}  // namespace

void Journey::Start(const CustomerProfile& profile, uint64_t seed, EventTime at) {
  profile_ = profile;
  rng_ = Rng(seed);
  seq_ = 0;
  sessions_ = 0;
  contacts_ = 0;
  planned_contacts_ = 0;
  last_planned_chat_ = false;
  last_contact_chat_ = false;
  visit_ = 0;
  done_ = false;
  dormant_ = true;
  wake_at_ = at;
  Wake();
}

void Journey::Wake() {
  dormant_ = false;
  visit_contact_ = static_cast<uint16_t>(contacts_ + 1);
  events_.reserve(kPhaseCapacity);
  PlanVisit();
  PlanPhases(wake_at_);
}

void Journey::Advance() {
  if (++cursor_ < events_.size()) return;
  EventTime last = events_.back().ts;
  PlanPhases(last);
  if (!events_.empty()) return;
  // Between visits and after the last one a journey holds no buffer: memory stays with the
  // journeys in progress.
  std::vector<PlannedEvent>().swap(events_);
  if (ScheduleReturn(last)) {
    ++visit_;
    dormant_ = true;
    return;
  }
  done_ = true;
}

void Journey::Push(Phase phase) {
  if (plan_len_ < plan_.size()) plan_[plan_len_++] = phase;
}

void Journey::PushContact(bool bad) {
  // Repeat contacts mostly switch channel: a call after a chat, a chat after a call.
  bool chat = planned_contacts_ == 0 ? rng_.Chance(0.5) : !last_planned_chat_;
  if (rng_.Chance(0.2)) chat = !chat;
  last_planned_chat_ = chat;
  ++planned_contacts_;
  Push(chat ? (bad ? Phase::kBadChat : Phase::kChat) : (bad ? Phase::kBadCall : Phase::kCall));
}

void Journey::PlanVisit() {
  plan_len_ = 0;
  plan_pos_ = 0;
  if (!profile_.struggling) {
    Push(Phase::kBrowse);
    bool contact = rng_.Chance(0.15);
    if (contact) PushContact(false);
    if (rng_.Chance(contact ? 0.35 : 0.05)) Push(Phase::kSurvey);
    return;
  }
  bool browse = rng_.Chance(visit_ == 0 ? 0.85 : 0.5);
  if (browse) Push(Phase::kStruggleBrowse);
  size_t contacts = visit_ == 0 ? rng_.Pick(std::array<uint32_t, 4>{8, 50, 32, 10}) : 1;
  if (contacts == 0 && !browse) contacts = 1;
  for (size_t i = 0; i < contacts; ++i) PushContact(rng_.Chance(0.8));
  if (rng_.Chance(visit_ == 0 ? 0.5 : 0.4)) {
    Push(Phase::kLowSurvey);
  } else if (rng_.Chance(0.2)) {
    Push(Phase::kSurvey);
  }
}

bool Journey::ScheduleReturn(EventTime last) {
  if (profile_.struggling) {
    if (visit_ >= 2 || !rng_.Chance(visit_ == 0 ? 0.55 : 0.35)) return false;
    wake_at_ = last + Duration::Millis(rng_.Between(20 * kHour, 72 * kHour));
    return true;
  }
  if (visit_ >= 1 || !rng_.Chance(0.05)) return false;
  wake_at_ = last + Duration::Millis(rng_.Between(2 * kHour, 48 * kHour));
  return true;
}

void Journey::PlanPhases(EventTime after) {
  events_.clear();
  cursor_ = 0;
  while (events_.empty() && plan_pos_ < plan_len_) {
    Phase phase = plan_[plan_pos_];
    bool first = plan_pos_ == 0;
    bool contact = phase != Phase::kBrowse && phase != Phase::kStruggleBrowse &&
                   phase != Phase::kSurvey && phase != Phase::kLowSurvey;
    bool after_contact =
        !first && last_phase_ != Phase::kBrowse && last_phase_ != Phase::kStruggleBrowse;
    int64_t gap = 0;
    if (!first && contact && after_contact) {
      gap = rng_.ExpMillis(90 * kMinute, 5 * kMinute, 10 * kHour);
    } else if (!first && contact) {
      gap = rng_.ExpMillis(45 * kSecond, 10 * kSecond, 4 * kMinute);
    } else if (!first && after_contact) {
      gap = rng_.ExpMillis(20 * kMinute, kMinute, 2 * kHour);
    } else if (!first) {
      gap = rng_.Between(2 * kSecond, 20 * kSecond);
    }
    EventTime t = after + Duration::Millis(gap);
    switch (phase) {
      case Phase::kBrowse:
        Browse(t, false);
        break;
      case Phase::kStruggleBrowse:
        Browse(t, true);
        break;
      case Phase::kCall:
        Call(t, false);
        break;
      case Phase::kBadCall:
        Call(t, true);
        break;
      case Phase::kChat:
        Chat(t, false);
        break;
      case Phase::kBadChat:
        Chat(t, true);
        break;
      case Phase::kSurvey:
        Survey(t, false);
        break;
      case Phase::kLowSurvey:
        Survey(t, true);
        break;
    }
    last_phase_ = phase;
    ++plan_pos_;
  }
}

PlannedEvent& Journey::Add(EventTime t, EventType type, Action action, uint8_t channel) {
  PlannedEvent& e = events_.emplace_back();
  e.ts = t;
  e.type = type;
  e.action = action;
  e.channel = channel;
  if (profile_.local_offset) e.flags |= kWithOffset;
  return e;
}

PlannedEvent& Journey::AddClick(EventTime t, Action action, uint16_t session, uint8_t page) {
  PlannedEvent& e = Add(t, EventType::kClick, action, profile_.home_channel);
  e.session = session;
  e.page = page;
  if (action == Action::kPageView || rng_.Chance(0.9)) e.flags |= kWithSession;
  return e;
}

void Journey::TierFlags(PlannedEvent& e, double standard_share) {
  if (profile_.vip) {
    e.flags |= kWithTier | kVip;
  } else if (rng_.Chance(standard_share)) {
    e.flags |= kWithTier;
  }
}

int64_t Journey::Dwell() { return rng_.ExpMillis(15 * kSecond, 2 * kSecond, 90 * kSecond); }

}  // namespace cx::gen
