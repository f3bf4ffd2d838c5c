#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "generate/planned_event.h"
#include "generate/rng.h"
#include "schemas/time.h"

namespace cx::gen {

// The fixed traits of one customer, drawn once when the customer first arrives.
struct CustomerProfile {
  uint64_t number = 0;        // customer number: every id of the customer is built from it
  bool struggling = false;    // on a struggling journey (SPEC §3 signals) rather than a smooth one
  bool vip = false;           // tier vip
  bool local_offset = false;  // writes its timestamps with a +02:00 offset
  uint8_t home_channel = 0;   // kChannelWeb or kChannelApp
  uint8_t reason = 0;         // kReasons index: what a struggling customer needs help with
};

// One customer's life in the stream: visits made of phases (a browse session, a call, a chat,
// a survey), each phase planned only when the previous one is used up, so a journey holds a
// few dozen small events at most. Between visits (a customer who comes back days later) it
// is dormant and holds no events. Events come out in non-decreasing time order.
// Deterministic: a function of (profile, seed, start time). Not thread-safe.
class Journey {
 public:
  // Begins the first visit at `at`. Reuses this object's buffer (slots are recycled).
  void Start(const CustomerProfile& profile, uint64_t seed, EventTime at);

  // True once every event has been taken.
  bool Done() const { return done_; }
  // True while waiting for a later visit: nothing planned; NextTime() is when it begins.
  bool Dormant() const { return dormant_; }
  // Plans the visit that begins at NextTime(). Precondition: Dormant().
  void Wake();
  // Time of the next event (or of the next visit while dormant). Precondition: !Done().
  EventTime NextTime() const { return dormant_ ? wake_at_ : events_[cursor_].ts; }
  // The next event. Precondition: !Done() && !Dormant().
  const PlannedEvent& Peek() const { return events_[cursor_]; }
  // Moves past Peek(): to the next event, to the next phase, to dormancy or to Done().
  void Advance();
  // The sequence number for the next written event of this customer (1, 2, …).
  uint64_t TakeSeq() { return ++seq_; }

  // Hints the CPU to load what the next Peek() reads (a performance hint only). always_inline:
  // GCC 12 at -O2 drops a call it has not inlined to a function whose only effect is a prefetch
  // (it infers the function has none), and it did not inline this one into Generator::Next.
  [[gnu::always_inline]] void Prefetch() const {
    __builtin_prefetch(this);
    if (!dormant_ && !done_) __builtin_prefetch(events_.data() + cursor_);
  }

  const CustomerProfile& profile() const { return profile_; }
  // Events buffered right now (the memory a journey holds).
  size_t Buffered() const { return events_.size(); }

 private:
  enum class Phase : uint8_t {
    kBrowse,
    kStruggleBrowse,
    kCall,
    kBadCall,
    kChat,
    kBadChat,
    kSurvey,
    kLowSurvey
  };

  void PlanVisit();
  void Push(Phase phase);
  void PushContact(bool bad);
  void PlanPhases(EventTime after);
  bool ScheduleReturn(EventTime last);
  PlannedEvent& Add(EventTime t, EventType type, Action action, uint8_t channel);
  PlannedEvent& AddClick(EventTime t, Action action, uint16_t session, uint8_t page);
  void Browse(EventTime t, bool struggle);
  void BrowseStruggles(EventTime t, uint16_t session);
  void Call(EventTime t, bool bad);
  void Chat(EventTime t, bool bad);
  void Survey(EventTime t, bool low);
  uint16_t OpenContact(EventTime t, EventType type, uint8_t channel);
  void TierFlags(PlannedEvent& e, double standard_share);
  int64_t Dwell();

  CustomerProfile profile_;
  Rng rng_;
  std::vector<PlannedEvent> events_;
  uint32_t cursor_ = 0;
  EventTime wake_at_;
  uint64_t seq_ = 0;
  uint16_t sessions_ = 0;
  uint16_t contacts_ = 0;
  uint16_t visit_contact_ = 0;  // first contact number of the current visit
  uint16_t planned_contacts_ = 0;
  bool last_planned_chat_ = false;  // channel of the last contact planned
  bool last_contact_chat_ = false;  // channel of the last contact written
  uint8_t visit_ = 0;
  std::array<Phase, 8> plan_{};
  uint8_t plan_len_ = 0;
  uint8_t plan_pos_ = 0;
  Phase last_phase_ = Phase::kBrowse;
  bool dormant_ = false;
  bool done_ = true;
};

}  // namespace cx::gen
