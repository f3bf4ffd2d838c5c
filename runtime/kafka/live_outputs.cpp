#include "runtime/kafka/live_outputs.h"

#include <iterator>

#include "schemas/json_writer.h"

namespace cx {

void LiveOutputs::OnSignal(const Signal& signal) {
  scratch_.clear();
  AppendSignalJson(signal, scratch_);
  std::string_view value(scratch_);
  transactions_.Produce(topics_.signals, -1, signal.customer_id, &value);
  if (!observers_.empty()) tally_.AddSignal(signal);
}

void LiveOutputs::OnAlert(const Alert& alert) {
  scratch_.clear();
  AppendAlertJson(alert, scratch_);
  std::string_view value(scratch_);
  transactions_.Produce(topics_.alerts, -1, alert.customer_id, &value);
  if (!observers_.empty()) {
    pending_alerts_.push_back(ProducedAlert{alert, scratch_, trigger_consumed_at_});
  }
}

void LiveOutputs::OnDeadLetter(const DeadLetter& dead_letter) {
  scratch_.clear();
  AppendDeadLetterJson(dead_letter, scratch_);
  std::string_view value(scratch_);
  transactions_.Produce(topics_.dead_letter, -1, {}, &value);
  ++status_.dead_letters;
  for (LiveObserver* observer : observers_) observer->OnDeadLetter(dead_letter.error);
}

void LiveOutputs::SealAlerts() {
  sealed_alerts_.insert(sealed_alerts_.end(), std::make_move_iterator(pending_alerts_.begin()),
                        std::make_move_iterator(pending_alerts_.end()));
  pending_alerts_.clear();
}

void LiveOutputs::AlertsCommitted(MonotonicTime committed_at) {
  for (const ProducedAlert& produced : sealed_alerts_) {
    for (LiveObserver* observer : observers_) {
      observer->OnAlertCommitted(produced.alert, produced.json,
                                 committed_at - produced.consumed_at);
    }
  }
  sealed_alerts_.clear();
}

}  // namespace cx
