#pragma once

#include "schemas/alert.h"
#include "schemas/json_writer.h"
#include "schemas/signal.h"

namespace cx {

// Where a shard's output goes: files in replay, Kafka topics in live mode. Called on the shard's
// thread, in emission order; implementations must not reorder.
class EmissionSink {
 public:
  virtual ~EmissionSink() = default;
  virtual void OnSignal(const Signal& signal) = 0;
  virtual void OnAlert(const Alert& alert) = 0;
  virtual void OnDeadLetter(const DeadLetter& dead_letter) = 0;
};

}  // namespace cx
