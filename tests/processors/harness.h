#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "processors/engine.h"
#include "processors/rules_config.h"

namespace cx::testing {

// An event with owned strings (Event holds views).
struct Ev {
  std::string id;
  EventType type = EventType::kClick;
  Action action = Action::kNone;
  int64_t ts = 0;  // ms
  std::string page, element, session, contact, reason, channel, queue;
  Author author = Author::kNone;
  int64_t results = -1;
  int32_t status = 0;
  SurveyKind survey = SurveyKind::kNone;
  int32_t score = -1;
  Tier tier = Tier::kUnset;

  Event View(std::string_view customer) const {
    Event e;
    e.type = type;
    e.action = action;
    e.ts = EventTime::FromMillis(ts);
    e.event_id = id;
    e.customer_id = customer;
    e.tier = tier;
    e.channel = channel;
    e.page = page;
    e.element = element;
    e.session_id = session;
    e.results = results;
    e.status = status;
    e.contact_id = contact;
    e.reason = reason;
    e.queue = queue;
    e.author = author;
    e.survey = survey;
    e.score = score;
    return e;
  }
};

inline Ev Base(std::string id, EventType type, Action action, int64_t ts) {
  Ev e;
  e.id = std::move(id);
  e.type = type;
  e.action = action;
  e.ts = ts;
  return e;
}

constexpr int64_t kT0 = 1'790'000'000'000;  // 2026-09-21, any fixed instant
constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

inline Ev PageView(std::string id, int64_t ts, std::string page, std::string session = "") {
  Ev e = Base(std::move(id), EventType::kClick, Action::kPageView, ts);
  e.page = std::move(page);
  e.session = std::move(session);
  return e;
}
inline Ev Click(std::string id, int64_t ts, std::string element, std::string page = "/home") {
  Ev e = Base(std::move(id), EventType::kClick, Action::kClick, ts);
  e.page = std::move(page);
  e.element = std::move(element);
  return e;
}
inline Ev Search(std::string id, int64_t ts, int64_t results) {
  Ev e = Base(std::move(id), EventType::kClick, Action::kSearch, ts);
  e.results = results;
  return e;
}
inline Ev ErrorPage(std::string id, int64_t ts, int32_t status) {
  Ev e = Base(std::move(id), EventType::kClick, Action::kError, ts);
  e.page = "/checkout";
  e.status = status;
  return e;
}
inline Ev ContactUs(std::string id, int64_t ts) {
  return Base(std::move(id), EventType::kClick, Action::kContactUs, ts);
}
inline Ev Call(std::string id, int64_t ts, Action action, std::string contact,
               std::string reason = "") {
  Ev e = Base(std::move(id), EventType::kCall, action, ts);
  e.contact = std::move(contact);
  e.reason = std::move(reason);
  return e;
}
inline Ev Chat(std::string id, int64_t ts, Action action, std::string contact,
               Author author = Author::kNone) {
  Ev e = Base(std::move(id), EventType::kChat, action, ts);
  e.contact = std::move(contact);
  e.author = author;
  return e;
}
inline Ev Msg(std::string id, int64_t ts, std::string contact, Author author) {
  return Chat(std::move(id), ts, Action::kMessage, std::move(contact), author);
}
inline Ev Survey(std::string id, int64_t ts, SurveyKind kind, int32_t score) {
  Ev e = Base(std::move(id), EventType::kSurvey, Action::kNone, ts);
  e.survey = kind;
  e.score = score;
  return e;
}

// Drives one customer the way the Shard does: watermark = max event time - lateness; timers the
// watermark has passed (deadline < watermark) fire before each event; Finish() advances the
// watermark to the last event time.
class Harness {
 public:
  RulesConfig config;
  CustomerState state;
  std::string customer = "c-42";
  std::vector<Signal> signals;
  std::vector<Alert> alerts;
  int64_t max_ts = INT64_MIN / 2;

  ApplyResult Apply(const Ev& ev) {
    max_ts = std::max(max_ts, ev.ts);
    const EventTime wm = EventTime::FromMillis(max_ts) - config.lateness;
    Fire(wm);
    Emissions out;
    const ApplyResult r = ApplyEvent(config, customer, state, ev.View(customer), wm, out);
    Collect(out);
    return r;
  }
  void Apply(const std::vector<Ev>& evs) {
    for (const Ev& e : evs) (void)Apply(e);
  }
  // Moves the watermark (as an idle partition's wall clock would) and fires due timers.
  void AdvanceWatermark(int64_t wm_ms) { Fire(EventTime::FromMillis(wm_ms)); }
  void Finish() { Fire(EventTime::FromMillis(max_ts)); }

  int Count(SignalKind k) const {
    return static_cast<int>(std::count_if(signals.begin(), signals.end(),
                                          [&](const Signal& s) { return s.kind == k; }));
  }
  int Count(AlertKind k) const {
    return static_cast<int>(
        std::count_if(alerts.begin(), alerts.end(), [&](const Alert& a) { return a.kind == k; }));
  }
  const Signal* Last(SignalKind k) const {
    for (size_t i = signals.size(); i-- > 0;) {
      if (signals[i].kind == k) return &signals[i];
    }
    return nullptr;
  }
  const Alert* Last(AlertKind k) const {
    for (size_t i = alerts.size(); i-- > 0;) {
      if (alerts[i].kind == k) return &alerts[i];
    }
    return nullptr;
  }

 private:
  void Fire(EventTime wm) {
    if (NextDeadline(state) >= wm) return;
    Emissions out;
    FireDueTimers(config, customer, state, wm, out);
    Collect(out);
  }
  void Collect(Emissions& out) {
    signals.insert(signals.end(), out.signals.begin(), out.signals.end());
    alerts.insert(alerts.end(), out.alerts.begin(), out.alerts.end());
  }
};

}  // namespace cx::testing
