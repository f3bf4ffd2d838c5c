#include "runtime/kafka/partition_owners.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cx {
namespace {

// Kafka's own murmur2 test vectors (clients/.../UtilsTest.java: "21" -> -973932308, ...), as
// partitions of a 100-partition topic: (hash & 0x7fffffff) % 100, what the Java client's
// default partitioner and tests/integration/itlib.py's partition_of compute.
TEST(CustomerPartitionTest, MatchesTheJavaClientsDefaultPartitioner) {
  EXPECT_EQ(CustomerPartition("21", 100), 40);
  EXPECT_EQ(CustomerPartition("foobar", 100), 66);
  EXPECT_EQ(CustomerPartition("a-little-bit-long-string", 100), 12);
  EXPECT_EQ(CustomerPartition("a-little-bit-longer-string", 100), 19);
  EXPECT_EQ(CustomerPartition("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 100), 77);
  EXPECT_EQ(CustomerPartition("abc", 100), 7);
  EXPECT_EQ(CustomerPartition("abc", 7), 4);
  EXPECT_EQ(CustomerPartition("abc", 1), 0);
}

TEST(CustomerPartitionTest, StaysInRange) {
  for (int i = 0; i < 1000; ++i) {
    int p = CustomerPartition("c-" + std::to_string(i), 6);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 6);
  }
}

TEST(AdvertisingClientIdTest, CarriesTheAddressAfterTheConfiguredClientId) {
  KafkaConfig kafka;
  EXPECT_EQ(AdvertisingClientId(kafka, "10.0.0.7:9464"), "cxpulse@10.0.0.7:9464");
  kafka.properties = {{"client.id", "shop"}};
  EXPECT_EQ(AdvertisingClientId(kafka, "h:1"), "shop@h:1");
  kafka.consumer_properties = {{"client.id", "shop-consumer"}};
  EXPECT_EQ(AdvertisingClientId(kafka, "[::1]:9464"), "shop-consumer@[::1]:9464");
}

TEST(AdvertisingClientIdTest, TheAddressIsReadBack) {
  KafkaConfig kafka;
  kafka.properties = {{"client.id", "team@shop"}};
  EXPECT_EQ(AdvertisedAddressOf(AdvertisingClientId(kafka, "cxpulse-0.cxpulse-headless:9464")),
            "cxpulse-0.cxpulse-headless:9464");
  EXPECT_EQ(AdvertisedAddressOf("rdkafka"), "");
  EXPECT_EQ(AdvertisedAddressOf("cxpulse@"), "");
}

TEST(OwnersOfTest, MapsEveryAssignedPartitionToItsMembersAddress) {
  std::vector<GroupMember> members = {
      {.client_id = "cxpulse@a:1", .instance_id = "cxpulse-0", .partitions = {0, 1}},
      {.client_id = "cxpulse@b:2", .instance_id = "cxpulse-1", .partitions = {2, 7}},
      {.client_id = "old-version", .instance_id = "", .partitions = {3}},
  };
  PartitionOwners owners = OwnersOf(5, members, "Stable");
  EXPECT_EQ(owners.partitions, 5);
  EXPECT_EQ(owners.group_state, "Stable");
  EXPECT_EQ(owners.address, (std::vector<std::string>{"a:1", "a:1", "b:2", "", ""}));
}

TEST(OwnersOfTest, AnEmptyGroupOwnsNothing) {
  PartitionOwners owners = OwnersOf(3, {}, "Empty");
  EXPECT_EQ(owners.address, (std::vector<std::string>{"", "", ""}));
}

}  // namespace
}  // namespace cx
