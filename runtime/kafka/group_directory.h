#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/partition_owners.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// The owner of one customer's partition, as GroupDirectory found it.
struct OwnerLookup {
  int partition = -1;   // -1 when the partition count is unknown
  std::string address;  // the owner's HTTP address; "" when unknown (see `problem`)
  std::string problem;  // one line, no customer id: why there is no address
};

// Finds which member of the processors' consumer group (kafka.group_id) owns a customer's
// partition of the first input topic (kafka.topics.clicks), and where it serves HTTP
// (AdvertisedAddressOf its client.id), the way Kafka Streams' interactive queries find a key's
// `application.server`: the topic's partition count and DescribeConsumerGroups, from a client
// of its own. A snapshot is reused for up to kMaxAge, or until Invalidate().
// Thread-safe; every answer runs on the directory's own thread, so callbacks must not block.
class GroupDirectory {
 public:
  // A snapshot older than this is described again before it is used.
  static constexpr std::chrono::seconds kMaxAge{5};
  // How long each of the two requests of a description may take.
  static constexpr std::chrono::milliseconds kDescribeTimeout{1000};

  // `clock` must outlive the directory.
  GroupDirectory(KafkaConfig kafka, const Clock& clock);
  ~GroupDirectory();
  GroupDirectory(const GroupDirectory&) = delete;
  GroupDirectory& operator=(const GroupDirectory&) = delete;

  // Creates the client (it connects lazily) and starts the thread. The one-line reason on
  // failure.
  [[nodiscard]] Result<void> Start();
  // Answers what is still queued with a problem ("stopping") and joins the thread. Idempotent.
  void Stop();

  // Calls `done` once, on the directory's thread, with the owner of `customer_id`'s partition.
  void FindOwner(std::string customer_id, std::function<void(OwnerLookup)> done);
  // Drops the snapshot: the next FindOwner describes the group again (after a failed forward).
  void Invalidate();

 private:
  struct Request {
    std::string customer_id;
    std::function<void(OwnerLookup)> done;
  };

  void Run();
  // Describes the group now, or returns a one-line reason.
  [[nodiscard]] Result<PartitionOwners> Describe();
  [[nodiscard]] OwnerLookup Answer(const std::string& customer_id) const;

  const KafkaConfig kafka_;
  const Clock& clock_;
  KafkaHandle client_;
  std::thread thread_;
  std::mutex mutex_;  // guards requests_, stop_ and stale_
  std::condition_variable wake_;
  std::deque<Request> requests_;
  bool stop_ = false;
  bool stale_ = true;
  // The directory's thread only: the last snapshot, when it was taken, and why the last
  // description failed ("" when it did not).
  PartitionOwners owners_;
  MonotonicTime described_at_{};
  std::string describe_error_;
};

}  // namespace cx
