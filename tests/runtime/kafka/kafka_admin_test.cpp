#include "runtime/kafka/kafka_admin.h"

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

}  // namespace
}  // namespace cx
