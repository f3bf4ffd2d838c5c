#include "runtime/kafka/kafka_clients.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cx {
namespace {

std::optional<std::string> Find(const KafkaProperties& properties, const std::string& name) {
  for (const auto& [key, value] : properties) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// The group consumer's memory comes from these two keys (kafka_config.h): the prefetch per
// partition and the size of one fetch response, which librdkafka keeps whole while any of its
// records is queued.
TEST(KafkaClients, GroupConsumerMemoryKeys) {
  KafkaConfig kafka;
  kafka.prefetch_kb = 256;
  kafka.fetch_max_kb = 2048;
  KafkaProperties properties = GroupConsumerProperties(kafka);
  EXPECT_EQ(Find(properties, "queued.max.messages.kbytes"), "256");
  EXPECT_EQ(Find(properties, "fetch.max.bytes"), "2097152");
}

// The defaults: 2 MiB queued per partition, responses of at most 1 MiB (not 4: responses kept
// alive by a sparse input's queued records were most of the consumer's heap), and a fetch held
// at most 25 ms (librdkafka's 500 ms starved the busy partitions: kafka_config.h, fetch_wait).
TEST(KafkaClients, GroupConsumerDefaultsBoundResponsesAndTheFetchWait) {
  KafkaProperties properties = GroupConsumerProperties(KafkaConfig{});
  EXPECT_EQ(Find(properties, "queued.max.messages.kbytes"), "2048");
  EXPECT_EQ(Find(properties, "fetch.max.bytes"), "1048576");
  EXPECT_EQ(Find(properties, "fetch.wait.max.ms"), "25");
}

// kafka.fetch_wait reaches the consumer (consumer_properties, a later layer, can still override
// fetch.wait.max.ms: GroupConsumer::Create).
TEST(KafkaClients, FetchWaitComesFromTheConfig) {
  KafkaConfig kafka;
  kafka.fetch_wait = Duration::Millis(200);
  EXPECT_EQ(Find(GroupConsumerProperties(kafka), "fetch.wait.max.ms"), "200");
}

// librdkafka accepts the smallest allowed fetch_max_kb: a configuration with it makes a client.
TEST(KafkaClients, SmallestFetchMaxIsAcceptedByLibrdkafka) {
  KafkaConfig kafka;
  kafka.bootstrap_servers = "127.0.0.1:1";
  kafka.group_id = "g";
  kafka.fetch_max_kb = 1024;
  KafkaProperties properties = GroupConsumerProperties(kafka);
  Result<KafkaHandle> client =
      CreateKafkaClient(RD_KAFKA_CONSUMER, "a consumer", {&properties}, KafkaCallbacks{});
  ASSERT_TRUE(client) << client.error().message();
}

}  // namespace
}  // namespace cx
