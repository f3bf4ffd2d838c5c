#include "runtime/kafka/access_failure.h"

#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/kafka_log.h"

namespace cx {
namespace {

constexpr int kSyslogError = 3;

}  // namespace

void AccessFailure::Record(int err, const char* reason) {
  const char* what = nullptr;
  if (err == RD_KAFKA_RESP_ERR__SSL) {
    what = "TLS handshake with the broker failed: ";
  } else if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
    what = "SASL authentication failed: ";
  } else {
    return;
  }
  std::lock_guard lock(mutex_);
  if (first_.empty()) {
    first_ = std::string(what) + (reason != nullptr ? reason : "(no reason given)");
  }
}

std::string AccessFailure::First() const {
  std::lock_guard lock(mutex_);
  return first_;
}

void AccessFailure::OnError(rd_kafka_t* client, int err, const char* reason, void* opaque) {
  static_cast<AccessFailure*>(opaque)->Record(err, reason);
  // What librdkafka itself does with an error when no callback is set.
  LogKafkaLine(client, kSyslogError, "ERROR", reason != nullptr ? reason : "");
}

void ServeCallbacks(rd_kafka_t* client) {
  if (rd_kafka_type(client) == RD_KAFKA_CONSUMER) {
    // Before a subscription or assignment nothing but events is queued; a returned message is
    // an error event the error callback has seen.
    KafkaMessage message(rd_kafka_consumer_poll(client, 0));
  } else {
    rd_kafka_poll(client, 0);
  }
}

}  // namespace cx
