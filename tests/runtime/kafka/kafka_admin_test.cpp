#include "runtime/kafka/kafka_admin.h"

#include <limits>

#include <gtest/gtest.h>

#include "runtime/kafka/kafka_handles.h"

namespace cx {
namespace {

KafkaPartitionList Offsets() {
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(3));
  rd_kafka_topic_partition_list_add(list.get(), "cx.clicks", 0)->offset = 42;
  rd_kafka_topic_partition_list_add(list.get(), "cx.clicks", 1)->offset = RD_KAFKA_OFFSET_INVALID;
  rd_kafka_topic_partition_list_add(list.get(), "cx.calls", 1)->offset = 7;
  return list;
}

// No committed offset (an offset < 0 without an error) is not an error: that partition starts
// from the beginning.
TEST(FirstPartitionError, NoneWhenEveryPartitionCameBackWithoutAnError) {
  KafkaPartitionList offsets = Offsets();
  EXPECT_EQ(FirstPartitionError(*offsets), "");
}

// A partition whose offset came back with an error (its offset is then < 0 too) must not be
// rewound to the beginning: it is named, so the rewind asks again or fails.
TEST(FirstPartitionError, NamesThePartitionAndItsError) {
  KafkaPartitionList offsets = Offsets();
  rd_kafka_topic_partition_t* unstable = &offsets->elems[2];
  unstable->offset = RD_KAFKA_OFFSET_INVALID;
  unstable->err = RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT;
  EXPECT_EQ(
      FirstPartitionError(*offsets),
      std::string("cx.calls [1]: ") + rd_kafka_err2str(RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT));
}

// librdkafka before 2.1.0 reads rd_kafka_seek_partitions's timeout as microseconds (#4230): the
// argument is scaled so that a rewind waits the milliseconds it means, and only there.
TEST(SeekPartitionsTimeoutArg, ScalesMillisecondsForLibrdkafkaBefore2_1) {
  constexpr int k2_0_2 = 0x020002ff;
  constexpr int k2_1_0 = 0x020100ff;
  constexpr int k2_1_0_rc = 0x02010001;
  constexpr int k2_3_0 = 0x020300ff;
  EXPECT_EQ(SeekPartitionsTimeoutArg(60000, k2_0_2), 60000000);
  EXPECT_EQ(SeekPartitionsTimeoutArg(1, k2_0_2), 1000);
  EXPECT_EQ(SeekPartitionsTimeoutArg(60000, k2_1_0_rc), 60000);
  EXPECT_EQ(SeekPartitionsTimeoutArg(60000, k2_1_0), 60000);
  EXPECT_EQ(SeekPartitionsTimeoutArg(60000, k2_3_0), 60000);
  // No overflow: the longest wait an int of microseconds holds.
  EXPECT_EQ(SeekPartitionsTimeoutArg(std::numeric_limits<int>::max(), k2_0_2),
            std::numeric_limits<int>::max() / 1000 * 1000);
  // 0 (do not wait) and -1 (wait forever) mean the same in both units.
  EXPECT_EQ(SeekPartitionsTimeoutArg(0, k2_0_2), 0);
  EXPECT_EQ(SeekPartitionsTimeoutArg(-1, k2_0_2), -1);
}

}  // namespace
}  // namespace cx
