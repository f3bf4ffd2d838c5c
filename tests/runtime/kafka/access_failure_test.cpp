#include "runtime/kafka/access_failure.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

TEST(AccessFailure, KeepsTheFirstTlsOrSaslFailureOnly) {
  AccessFailure access;
  EXPECT_EQ(access.First(), "");
  // Unreachable brokers are for waiting, not for giving up.
  access.Record(RD_KAFKA_RESP_ERR__TRANSPORT, "b:9093/bootstrap: Connect failed");
  access.Record(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
  access.Record(RD_KAFKA_RESP_ERR__RESOLVE, "b:9093/bootstrap: Failed to resolve");
  EXPECT_EQ(access.First(), "");
  access.Record(RD_KAFKA_RESP_ERR__AUTHENTICATION, "b:9093/bootstrap: SASL authentication error");
  access.Record(RD_KAFKA_RESP_ERR__SSL, "b:9093/bootstrap: SSL handshake failed");
  EXPECT_EQ(access.First(),
            "SASL authentication failed: b:9093/bootstrap: SASL authentication error");
}

TEST(AccessFailure, NamesATlsFailure) {
  AccessFailure access;
  AccessFailure::OnError(nullptr, RD_KAFKA_RESP_ERR__SSL, "certificate verify failed", &access);
  EXPECT_EQ(access.First(), "TLS handshake with the broker failed: certificate verify failed");
}

}  // namespace
}  // namespace cx
