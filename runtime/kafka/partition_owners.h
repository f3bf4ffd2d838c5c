#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/kafka_config.h"

namespace cx {

// The partition of `customer_id` in a topic of `partitions` (> 0) partitions under Kafka's
// default partitioner: murmur2 of the key, as the Java client and librdkafka's murmur2 and
// murmur2_random compute it (librdkafka's own function). It is where the customer's events,
// state and alerts live, so the shard that owns it answers /customers/{id}.
[[nodiscard]] int CustomerPartition(std::string_view customer_id, int partitions);

// How a processor tells the other instances where it serves HTTP: its group consumer's
// client.id is "<prefix>@<address>", where <prefix> is the client.id set in
// kafka.consumer_properties or kafka.properties (else "cxpulse") and <address> is
// http.advertised_address. DescribeConsumerGroups reports every member's client.id.
[[nodiscard]] std::string AdvertisingClientId(const KafkaConfig& kafka,
                                              std::string_view http_address);
// The address in a client.id made by AdvertisingClientId (after its last '@'); "" when it
// carries none (a client.id without '@', or with nothing after it).
[[nodiscard]] std::string_view AdvertisedAddressOf(std::string_view client_id);

// One member of the processors' consumer group, as DescribeConsumerGroups reports it.
struct GroupMember {
  std::string client_id;
  std::string instance_id;      // group.instance.id; "" for a dynamic member
  std::vector<int> partitions;  // its partitions of the first input topic
};

// Where each input partition is served: a snapshot of the group.
struct PartitionOwners {
  int partitions = 0;  // of the first input topic
  // By partition: the HTTP address of the member that owns it; "" when no member owns it
  // (a rebalance in progress) or its owner advertises no address.
  std::vector<std::string> address;
  std::string group_state;  // "Stable", "PreparingRebalance", ... (for messages)
};

// The owners of a topic of `partitions` partitions from the group's members. Pure.
[[nodiscard]] PartitionOwners OwnersOf(int partitions, const std::vector<GroupMember>& members,
                                       std::string group_state);

}  // namespace cx
