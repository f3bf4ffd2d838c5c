#include <array>

#include "generate/journey.h"
#include "generate/vocabulary.h"

namespace cx::gen {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;

// What a struggling customer with each reason (kReasons order) runs into.
constexpr std::array<uint8_t, 5> kHelpPageFor = {13, 18, 14, 12, 15};
constexpr std::array<uint8_t, 5> kFailedQueryFor = {8, 11, 9, 10, 7};
constexpr std::array<uint8_t, 5> kRageElementFor = {8, 7, 2, 5, 3};
constexpr std::array<uint8_t, 5> kErrorPageFor = {8, 10, 5, 5, 8};
constexpr uint8_t kCancelReason = 3;

Duration Ms(int64_t v) { return Duration::Millis(v); }

}  // namespace

void Journey::Browse(EventTime t, bool struggle) {
  uint16_t session = ++sessions_;
  auto page = static_cast<uint8_t>(rng_.Chance(0.5) ? 0 : rng_.Between(1, 5));
  TierFlags(AddClick(t, Action::kPageView, session, page), 0.3);
  t = t + Ms(Dwell());
  int64_t steps = struggle ? rng_.Between(1, 3) : rng_.Between(2, 9);
  for (int64_t i = 0; i < steps; ++i) {
    size_t kind = rng_.Pick(std::array<uint32_t, 4>{60, 25, 10, 5});
    int64_t dwell = Dwell();
    if (kind == 0) {
      page = static_cast<uint8_t>(kBrowsePage + rng_.Below(kBrowsePageCount));
      AddClick(t, Action::kPageView, session, page);
    } else if (kind == 1) {
      AddClick(t, Action::kClick, session, page).element =
          static_cast<uint8_t>(rng_.Below(kElements.size()));
    } else if (kind == 2) {
      PlannedEvent& e = AddClick(t, Action::kSearch, session, page);
      bool failed = !struggle && rng_.Chance(0.03);
      e.number = failed ? 0 : static_cast<int32_t>(rng_.Between(1, 40));
      e.query = static_cast<uint8_t>(failed ? kFailedQuery + rng_.Below(kFailedQueryCount)
                                            : rng_.Below(kFailedQuery));
      if (rng_.Chance(0.85)) e.flags |= kWithQuery;
    } else if (rng_.Chance(0.3)) {
      AddClick(t, Action::kError, session, page).status = 404;
    } else {
      page = static_cast<uint8_t>(kHelpPage + rng_.Below(kHelpPageCount));
      AddClick(t, Action::kPageView, session, page);
      dwell = rng_.Between(5 * kSecond, 30 * kSecond);
    }
    t = t + Ms(dwell);
  }
  if (struggle) {
    BrowseStruggles(t, session);
  } else if (page >= kHelpPage && page < kHelpPage + kHelpPageCount) {
    // A smooth session never ends on a help page, so its dwell there stays short.
    AddClick(t, Action::kPageView, session,
             static_cast<uint8_t>(kBrowsePage + rng_.Below(kBrowsePageCount)));
  }
}

void Journey::BrowseStruggles(EventTime t, uint16_t session) {
  uint8_t reason = profile_.reason;
  bool help = rng_.Chance(0.7);
  bool failed = rng_.Chance(0.6);
  bool error = rng_.Chance(0.45);
  bool rage = rng_.Chance(0.4);
  bool cancel = rng_.Chance(reason == kCancelReason ? 0.8 : 0.25);
  bool contact_us = rng_.Chance(0.6);
  if (!help && !failed && !error && !rage) help = true;
  uint8_t page = kErrorPageFor[reason];
  if (error) {
    AddClick(t, Action::kPageView, session, page);
    t = t + Ms(rng_.Between(kSecond, 8 * kSecond));
    int64_t errors = rng_.Chance(0.4) ? 2 : 1;
    for (int64_t i = 0; i < errors; ++i) {
      static constexpr std::array<uint16_t, 4> kStatus = {500, 404, 503, 403};
      AddClick(t, Action::kError, session, page).status =
          kStatus[rng_.Pick(std::array<uint32_t, 4>{5, 2, 2, 1})];
      t = t + Ms(rng_.Between(3 * kSecond, 20 * kSecond));
    }
  }
  if (rage) {
    int64_t clicks = rng_.Between(3, 6);
    for (int64_t i = 0; i < clicks; ++i) {
      AddClick(t, Action::kClick, session, page).element = kRageElementFor[reason];
      t = t + Ms(rng_.Between(80, 300));
    }
    t = t + Ms(rng_.Between(2 * kSecond, 15 * kSecond));
  }
  if (failed) {
    size_t searches = 1 + rng_.Pick(std::array<uint32_t, 3>{3, 5, 2});
    for (size_t i = 0; i < searches; ++i) {
      PlannedEvent& e = AddClick(t, Action::kSearch, session, page);
      e.number = 0;
      e.query =
          static_cast<uint8_t>(rng_.Chance(0.7) ? kFailedQueryFor[reason]
                                                : kFailedQuery + rng_.Below(kFailedQueryCount));
      e.flags |= kWithQuery;
      t = t + Ms(rng_.Between(4 * kSecond, 25 * kSecond));
    }
  }
  if (help) {
    int64_t pages = rng_.Between(2, 4);
    for (int64_t i = 0; i < pages; ++i) {
      page = rng_.Chance(0.6) ? kHelpPageFor[reason]
                              : static_cast<uint8_t>(kHelpPage + rng_.Below(kHelpPageCount));
      AddClick(t, Action::kPageView, session, page);
      t = t + Ms(rng_.ExpMillis(80 * kSecond, 35 * kSecond, 5 * kMinute));
    }
  }
  if (cancel) {
    page = static_cast<uint8_t>(kCancelPage + rng_.Below(kCancelPageCount));
    AddClick(t, Action::kPageView, session, page);
    t = t + Ms(rng_.Between(20 * kSecond, 2 * kMinute));
  }
  if (contact_us) AddClick(t, Action::kContactUs, session, kContactPage);
}

uint16_t Journey::OpenContact(EventTime t, EventType type, uint8_t channel) {
  auto contact = ++contacts_;
  last_contact_chat_ = type == EventType::kChat;
  PlannedEvent& e =
      Add(t, type, type == EventType::kCall ? Action::kQueued : Action::kStarted, channel);
  e.contact = contact;
  e.reason =
      profile_.struggling ? profile_.reason : static_cast<uint8_t>(rng_.Below(kReasons.size()));
  if (profile_.struggling || rng_.Chance(0.9)) e.flags |= kWithReason;
  TierFlags(e, 0.5);
  return contact;
}

void Journey::Call(EventTime t, bool bad) {
  uint16_t contact = OpenContact(t, EventType::kCall, kChannelPhone);
  auto add = [&](int64_t after_ms, Action action) -> PlannedEvent& {
    t = t + Ms(after_ms);
    PlannedEvent& e = Add(t, EventType::kCall, action, kChannelPhone);
    e.contact = contact;
    return e;
  };
  // 0: long wait, 1: abandoned in the queue, 2: passed around; 3: a smooth call.
  size_t kind = bad ? rng_.Pick(std::array<uint32_t, 3>{45, 35, 20}) : 3;
  if (kind == 1) {
    add(rng_.ExpMillis(150 * kSecond, 30 * kSecond, 15 * kMinute), Action::kAbandoned);
    return;
  }
  int64_t wait = kind == 0      ? rng_.ExpMillis(2 * kMinute, 25 * kSecond, 15 * kMinute)
                 : kind == 2    ? rng_.ExpMillis(15 * kSecond, 3 * kSecond, kMinute)
                 : profile_.vip ? rng_.Between(kSecond, 8 * kSecond)
                                : rng_.ExpMillis(6 * kSecond, 1500, 18 * kSecond);
  auto agent = static_cast<uint16_t>(rng_.Between(1, 400));
  PlannedEvent& answered = add(wait, Action::kAnswered);
  answered.agent = agent;
  answered.flags |= kWithAgent;
  if (kind == 2 || (kind == 0 && rng_.Chance(0.35))) {
    add(rng_.Between(kMinute, 4 * kMinute), Action::kTransferred);
  }
  PlannedEvent& ended =
      add(rng_.ExpMillis(3 * kMinute, 40 * kSecond, 15 * kMinute), Action::kEnded);
  if (rng_.Chance(0.85)) ended.resolved = rng_.Chance(bad ? 0.25 : 0.92) ? 1 : 0;
  if (rng_.Chance(0.6)) {
    ended.flags |= kWithHold;
    ended.number =
        static_cast<int32_t>(bad ? rng_.Between(30'000, 300'000) : rng_.Between(0, 45'000));
  }
}

void Journey::Chat(EventTime t, bool bad) {
  uint8_t channel = rng_.Chance(0.85) ? kChannelChat : kChannelMessenger;
  uint16_t contact = OpenContact(t, EventType::kChat, channel);
  auto add = [&](int64_t after_ms, Action action, Author author) -> PlannedEvent& {
    t = t + Ms(after_ms);
    PlannedEvent& e = Add(t, EventType::kChat, action, channel);
    e.contact = contact;
    e.author = author;
    return e;
  };
  if (rng_.Chance(0.6)) add(rng_.Between(300, 1500), Action::kMessage, Author::kBot);
  add(rng_.Between(3 * kSecond, 25 * kSecond), Action::kMessage, Author::kCustomer);
  // 0: late first reply, 1: never answered, 2: transferred and left waiting; 3: smooth.
  size_t kind = bad ? rng_.Pick(std::array<uint32_t, 3>{50, 30, 20}) : 3;
  if (kind == 1) {
    add(rng_.Between(kMinute, 3 * kMinute), Action::kMessage, Author::kCustomer);
    bool abandon = rng_.Chance(0.7);
    PlannedEvent& e = add(rng_.Between(kMinute, 7 * kMinute),
                          abandon ? Action::kAbandoned : Action::kEnded, Author::kNone);
    if (!abandon) e.resolved = 0;
    return;
  }
  int64_t first_reply = kind == 0   ? rng_.ExpMillis(150 * kSecond, 65 * kSecond, 15 * kMinute)
                        : kind == 2 ? rng_.Between(20 * kSecond, 55 * kSecond)
                                    : rng_.ExpMillis(15 * kSecond, 3 * kSecond, 50 * kSecond);
  add(first_reply, Action::kMessage, Author::kAgent);
  int64_t exchanges = rng_.Between(1, 3);
  for (int64_t i = 0; i < exchanges; ++i) {
    add(rng_.Between(10 * kSecond, kMinute), Action::kMessage, Author::kCustomer);
    add(kind == 3 ? rng_.ExpMillis(20 * kSecond, 3 * kSecond, 90 * kSecond)
                  : rng_.ExpMillis(150 * kSecond, 40 * kSecond, 10 * kMinute),
        Action::kMessage, Author::kAgent);
  }
  if (kind == 2) {
    add(rng_.Between(5 * kSecond, 30 * kSecond), Action::kTransferred, Author::kNone);
    add(rng_.Between(10 * kSecond, 40 * kSecond), Action::kMessage, Author::kCustomer);
    add(rng_.ExpMillis(200 * kSecond, 125 * kSecond, 15 * kMinute), Action::kMessage,
        Author::kAgent);
  }
  PlannedEvent& ended = add(rng_.Between(5 * kSecond, kMinute), Action::kEnded, Author::kNone);
  if (rng_.Chance(0.85)) ended.resolved = rng_.Chance(bad ? 0.2 : 0.95) ? 1 : 0;
}

void Journey::Survey(EventTime t, bool low) {
  static constexpr std::array<uint8_t, 3> kSurveyChannels = {kChannelEmail, kChannelWeb,
                                                             kChannelApp};
  uint8_t channel = kSurveyChannels[rng_.Pick(std::array<uint32_t, 3>{60, 25, 15})];
  PlannedEvent& e = Add(t, EventType::kSurvey, Action::kNone, channel);
  bool mid = !low && profile_.struggling;
  switch (rng_.Pick(std::array<uint32_t, 3>{40, 35, 25})) {
    case 0:
      e.survey = SurveyKind::kCsat;
      e.number = static_cast<int32_t>(low ? rng_.Between(1, 2) : mid ? 3 : rng_.Between(4, 5));
      break;
    case 1:
      e.survey = SurveyKind::kNps;
      e.number = static_cast<int32_t>(
          low   ? rng_.Between(0, 6)
          : mid ? rng_.Between(7, 8)
                : (rng_.Chance(0.7) ? rng_.Between(9, 10) : rng_.Between(7, 8)));
      break;
    default:
      e.survey = SurveyKind::kCes;
      e.number = static_cast<int32_t>(low   ? rng_.Between(1, 3)
                                      : mid ? rng_.Between(4, 5)
                                            : rng_.Between(5, 7));
      break;
  }
  if (contacts_ >= visit_contact_ && rng_.Chance(0.85)) {
    e.flags |= kWithContactRef;
    e.contact = contacts_;
    if (last_contact_chat_) e.flags |= kContactIsChat;
  }
  if (rng_.Chance(low ? 0.5 : 0.25)) {
    e.flags |= kWithComment;
    e.comment = static_cast<uint8_t>(low || mid ? kUnhappyComment + rng_.Below(kUnhappyCommentCount)
                                                : rng_.Below(kUnhappyComment));
  }
  TierFlags(e, 0.2);
}

}  // namespace cx::gen
