#pragma once

#include <mutex>
#include <string>

#include <librdkafka/rdkafka.h>

namespace cx {

// A connection failure that waiting for the brokers cannot fix: a broker answered, but the TLS
// handshake failed (RD_KAFKA_RESP_ERR__SSL: an untrusted CA in ssl.ca.location, a certificate
// whose name does not match) or SASL authentication failed (RD_KAFKA_RESP_ERR__AUTHENTICATION:
// a wrong mechanism, user or password). librdkafka reports them to the error callback and
// retries for ever; start-up (WaitForBrokers) gives up at the first one with its reason.
// Thread-safe: librdkafka calls the error callback on whichever thread polls the client.
class AccessFailure {
 public:
  // Keeps the first `reason` whose `err` is such a failure; ignores every other error.
  void Record(int err, const char* reason);
  // "TLS handshake with the broker failed: <librdkafka's reason>" or "SASL authentication
  // failed: …" for the first failure recorded; empty while there was none.
  [[nodiscard]] std::string First() const;

  // A librdkafka error callback (rd_kafka_conf_set_error_cb) for a client whose opaque is an
  // AccessFailure: records, and logs every error as librdkafka does without a callback.
  static void OnError(rd_kafka_t* client, int err, const char* reason, void* opaque);

 private:
  mutable std::mutex mutex_;
  std::string first_;
};

// Serves `client`'s queued callbacks (the error callback among them) without waiting:
// rd_kafka_consumer_poll for a consumer (its main queue is redirected there), else rd_kafka_poll.
void ServeCallbacks(rd_kafka_t* client);

}  // namespace cx
