#pragma once

#include <string_view>

#include "schemas/alert.h"
#include "schemas/json_writer.h"
#include "schemas/signal.h"
#include "schemas/time.h"

namespace cx {

// What caused the emissions a shard hands over next: an event, or the firing of a customer's
// timer due at `deadline`. One shard emits in processing order; a replay on several threads
// merges its shards' emissions back into that order by the cause (runtime/replay).
struct EmissionCause {
  bool timer = false;
  EventTime deadline;            // when `timer`
  std::string_view customer_id;  // when `timer`; valid during the call only
};

// Where a shard's output goes: files in replay, Kafka topics in live mode. Called on the shard's
// thread, in emission order; implementations must not reorder.
class EmissionSink {
 public:
  virtual ~EmissionSink() = default;
  // Called before the signals and alerts of one event or one timer firing (not when it has
  // none). Sinks that write in order need not look.
  virtual void OnCause(const EmissionCause& /*cause*/) {}
  virtual void OnSignal(const Signal& signal) = 0;
  virtual void OnAlert(const Alert& alert) = 0;
  virtual void OnDeadLetter(const DeadLetter& dead_letter) = 0;
};

}  // namespace cx
