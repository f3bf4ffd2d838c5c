#include "runtime/kafka/partition_owners.h"

#include <algorithm>
#include <utility>

#include <librdkafka/rdkafka.h>

namespace cx {
namespace {

constexpr std::string_view kDefaultClientId = "cxpulse";

// The last value of `key` in `properties`, or nullptr.
const std::string* LastValue(const std::vector<std::pair<std::string, std::string>>& properties,
                             std::string_view key) {
  const std::string* value = nullptr;
  for (const auto& [k, v] : properties) {
    if (k == key) value = &v;
  }
  return value;
}

}  // namespace

int CustomerPartition(std::string_view customer_id, int partitions) {
  // librdkafka's murmur2 partitioner uses neither the topic nor the opaques.
  return rd_kafka_msg_partitioner_murmur2(nullptr, customer_id.data(), customer_id.size(),
                                          partitions, nullptr, nullptr);
}

std::string AdvertisingClientId(const KafkaConfig& kafka, std::string_view http_address) {
  const std::string* prefix = LastValue(kafka.consumer_properties, "client.id");
  if (prefix == nullptr) prefix = LastValue(kafka.properties, "client.id");
  std::string client_id(prefix != nullptr && !prefix->empty() ? std::string_view(*prefix)
                                                              : kDefaultClientId);
  client_id += '@';
  client_id += http_address;
  return client_id;
}

std::string_view AdvertisedAddressOf(std::string_view client_id) {
  size_t at = client_id.rfind('@');
  return at == std::string_view::npos ? std::string_view() : client_id.substr(at + 1);
}

PartitionOwners OwnersOf(int partitions, const std::vector<GroupMember>& members,
                         std::string group_state) {
  PartitionOwners owners;
  owners.partitions = partitions;
  owners.address.resize(static_cast<size_t>(std::max(partitions, 0)));
  owners.group_state = std::move(group_state);
  for (const GroupMember& member : members) {
    std::string_view address = AdvertisedAddressOf(member.client_id);
    for (int p : member.partitions) {
      if (p >= 0 && p < partitions) owners.address[static_cast<size_t>(p)] = address;
    }
  }
  return owners;
}

}  // namespace cx
