#include "processors/selfservice.h"

#include <algorithm>
#include <array>
#include <string>

#include "processors/alerts.h"
#include "processors/contacts.h"
#include "processors/effort.h"
#include "processors/risk.h"
#include "processors/stable_hash.h"

namespace cx {
namespace {

constexpr size_t kMaxBurstScan = 64;

bool HasPrefix(std::string_view page, const std::vector<std::string>& prefixes) {
  if (page.empty()) return false;
  for (const std::string& p : prefixes) {
    if (page.starts_with(p)) return true;
  }
  return false;
}

// Returns false for a late event of an earlier session (it then counts for nothing per-session).
bool EnterSession(const RulesConfig& config, Session& s, const Event& event) {
  const uint64_t id = event.session_id.empty() ? 0 : Fnv1a64(event.session_id);
  const bool both_ids = id != 0 && s.id_hash != 0;
  const Duration gap = config.selfservice.session_gap;
  if (s.start != EventTime::Min()) {
    const bool other_id = both_ids && id != s.id_hash;
    const bool same_id = both_ids && id == s.id_hash;
    if (event.ts < s.start && (other_id || (!same_id && s.start - event.ts >= gap))) return false;
    const bool continues = same_id || (!other_id && event.ts - s.last < gap);
    if (continues) {
      if (s.id_hash == 0) s.id_hash = id;
      s.start = std::min(s.start, event.ts);
      s.last = std::max(s.last, event.ts);
      return true;
    }
  }
  s = Session{};
  s.id_hash = id;
  s.start = event.ts;
  s.last = event.ts;
  return true;
}

// The first contact (its counted open) at or after `t`, or Max: the customer left self-service
// for it, so help-page dwell stops there. From the contact history, so a contact that arrives
// after the pages (within the lateness) cuts them the same way.
EventTime ContactAtOrAfter(const CustomerState& state, EventTime t) {
  auto it = std::lower_bound(state.history.begin(), state.history.end(), t,
                             [](const ContactRecord& r, EventTime x) { return r.ts < x; });
  return it == state.history.end() ? EventTime::Max() : it->ts;
}

// Dwell on page `from` until `until` (the next click event, or now), stopped at a contact and
// capped per page.
int64_t PageDwell(const RulesConfig& config, const CustomerState& state, const PageMark& from,
                  EventTime until) {
  if (!from.help) return 0;
  const EventTime end = std::min(until, ContactAtOrAfter(state, from.ts));
  if (end <= from.ts) return 0;
  return std::min((end - from.ts).ms, config.selfservice.dwell_cap.ms);
}

int64_t KnownDwell(const RulesConfig& config, const CustomerState& state) {
  const Session& s = state.session;
  int64_t total = s.help_dwell_ms;
  for (size_t i = 0; i + 1 < s.pages.size(); ++i) {
    total += PageDwell(config, state, s.pages[i], s.pages[i + 1].ts);
  }
  return total;
}

void AddPage(const RulesConfig& config, CustomerState& state, EventTime ts, bool help,
             EventTime watermark) {
  Session& s = state.session;
  auto& pages = s.pages;
  pages.insert(std::upper_bound(pages.begin(), pages.end(), ts,
                                [](EventTime t, const PageMark& p) { return t < p.ts; }),
               PageMark{ts, help});
  const size_t cap = static_cast<size_t>(std::max(config.selfservice.max_pages, 2));
  size_t done = 0;
  while (done + 1 < pages.size() && (pages[done + 1].ts < watermark || pages.size() - done > cap)) {
    s.help_dwell_ms += PageDwell(config, state, pages[done], pages[done + 1].ts);
    ++done;
  }
  if (done > 0) pages.erase(pages.begin(), pages.begin() + static_cast<std::ptrdiff_t>(done));
}

void RaiseNeedsHelp(Step& step, EventTime ts, std::string_view trigger, std::string_view code,
                    std::string detail) {
  Session& s = step.state.session;
  if (s.needs_help_raised || HasOpenContact(step.state)) return;
  s.needs_help_raised = true;
  AlertRequest r;
  r.kind = AlertKind::kNeedsHelp;
  r.severity = Severity::kWarning;
  r.ts = ts;
  r.trigger = trigger;
  r.code = code;
  r.detail = std::move(detail);
  if (!step.event_id.empty()) r.event_ids.emplace_back(step.event_id);
  RaiseAlert(step, std::move(r));
}

void DetectRageClick(Step& step, const Event& event) {
  const SelfServiceRules& rules = step.config.selfservice;
  auto& clicks = step.state.clicks;
  const uint64_t element = Fnv1a64(event.element);
  const EventTime newest = std::max(step.state.last_activity, event.ts);
  const EventTime horizon = newest - rules.rage_window - step.config.lateness;
  std::erase_if(clicks, [&](const ClickMark& c) { return c.ts < horizon; });
  if (event.ts < horizon) return;
  auto pos = std::upper_bound(clicks.begin(), clicks.end(), event.ts,
                              [](EventTime t, const ClickMark& c) { return t < c.ts; });
  pos = clicks.insert(pos, ClickMark{element, event.ts, false});
  ClickMark& added = *pos;
  const size_t cap = static_cast<size_t>(std::clamp(rules.max_clicks, 2, 64));
  std::array<ClickMark*, kMaxBurstScan> same{};
  size_t n = 0;
  bool joins_burst = false;
  for (ClickMark& c : clicks) {
    if (c.element_hash != element || c.ts < event.ts - rules.rage_window ||
        c.ts > event.ts + rules.rage_window || n == same.size()) {
      continue;
    }
    if (c.in_burst) joins_burst = true;
    if (!c.in_burst) same[n++] = &c;
  }
  if (joins_burst) {
    added.in_burst = true;
  } else {
    const size_t need = static_cast<size_t>(std::max(rules.rage_clicks, 1));
    for (size_t lo = 0, hi = 0; lo < n; ++lo) {
      hi = std::max(hi, lo);
      while (hi < n && same[hi]->ts - same[lo]->ts <= rules.rage_window) ++hi;
      if (hi - lo < need) continue;
      const EventTime burst_at = same[lo + need - 1]->ts;
      for (size_t k = lo; k < hi; ++k) same[k]->in_burst = true;
      AddEffort(step, rules.rage_effort, burst_at);
      NoteDriver(step, false, rules.rage_effort, "rage clicks");
      break;
    }
  }
  if (clicks.size() > cap) clicks.erase(clicks.begin());
}

}  // namespace

void ApplyClickEvent(Step& step, const Event& event, EventTime watermark) {
  const RulesConfig& config = step.config;
  const SelfServiceRules& rules = config.selfservice;
  CustomerState& state = step.state;
  const bool help = HasPrefix(event.page, rules.help_prefixes);
  if (help || event.action == Action::kSearch || event.action == Action::kContactUs) {
    state.last_self_service = std::max(state.last_self_service, event.ts);
  }
  const bool in_session = EnterSession(config, state.session, event);
  Session& s = state.session;
  switch (event.action) {
    case Action::kClick:
      DetectRageClick(step, event);
      break;
    case Action::kSearch:
      if (event.results == 0) {
        AddEffort(step, rules.failed_search_effort, event.ts);
        NoteDriver(step, false, rules.failed_search_effort, "failed search");
        if (in_session && s.failed_searches < 255) ++s.failed_searches;
        if (in_session && s.failed_searches >= rules.failed_search_alert) {
          RaiseNeedsHelp(step, event.ts, event.event_id, "failed_searches",
                         std::to_string(s.failed_searches) + " searches without results");
        }
      }
      break;
    case Action::kError:
      if (event.status >= rules.error_status_min) {
        AddEffort(step, rules.error_effort, event.ts);
        NoteDriver(step, false, rules.error_effort, "error page");
      }
      break;
    case Action::kPageView:
      if (in_session && !s.cancel_intent_seen && HasPrefix(event.page, rules.cancel_prefixes)) {
        s.cancel_intent_seen = true;
        AddRisk(step, rules.cancel_risk, event.ts);
        NoteDriver(step, true, rules.cancel_risk, "cancellation page");
      }
      break;
    case Action::kContactUs:
      if (in_session) {
        RaiseNeedsHelp(step, event.ts, event.event_id, "contact_us", "pressed contact us");
      }
      break;
    default:
      break;
  }
  if (!in_session) return;
  AddPage(config, state, event.ts, help, watermark);
  const int64_t dwell = KnownDwell(config, state);
  if (dwell >= rules.help_dwell_threshold.ms) {
    RaiseNeedsHelp(step, event.ts, event.event_id, "help_dwell",
                   std::to_string(dwell / 1000) + " s on help pages");
  }
}

EventTime HelpDwellDeadline(const RulesConfig& config, const CustomerState& state) {
  const Session& s = state.session;
  if (s.needs_help_raised || s.pages.empty() || !s.pages.back().help) return EventTime::Max();
  const int64_t remaining = config.selfservice.help_dwell_threshold.ms - KnownDwell(config, state);
  if (remaining > config.selfservice.dwell_cap.ms) return EventTime::Max();
  if (HasOpenContact(state)) return EventTime::Max();
  // A contact since the last help page ended its dwell: nothing is back-dated into it.
  if (ContactAtOrAfter(state, s.pages.back().ts) != EventTime::Max()) return EventTime::Max();
  return s.pages.back().ts + Duration::Millis(std::max<int64_t>(remaining, 0));
}

int64_t HelpDwellMs(const RulesConfig& config, const CustomerState& state, EventTime now) {
  const Session& s = state.session;
  int64_t dwell = KnownDwell(config, state);
  if (!s.pages.empty()) dwell += PageDwell(config, state, s.pages.back(), now);
  return dwell;
}

void FireHelpDwellTimer(Step& step, EventTime deadline) {
  const Session& s = step.state.session;
  const std::string trigger = "help_dwell|" + std::to_string(s.start.ms) + "|" +
                              std::to_string(s.id_hash) + "|" + std::to_string(deadline.ms);
  const int64_t dwell = KnownDwell(step.config, step.state) + (deadline - s.pages.back().ts).ms;
  RaiseNeedsHelp(step, deadline, trigger, "help_dwell",
                 std::to_string(dwell / 1000) + " s on help pages");
}

}  // namespace cx
