#include "runtime/kafka/group_directory.h"

#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_clients.h"
#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

struct AdminDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
template <typename T>
using AdminPtr = std::unique_ptr<T, AdminDeleter>;

// The partition count of `topic`, or a one-line reason.
Result<int> PartitionCount(rd_kafka_t* client, const std::string& topic, int timeout_ms) {
  AdminPtr<rd_kafka_topic_t> handle(rd_kafka_topic_new(client, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, handle.get(), &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot read the metadata of ") + topic + ": " + rd_kafka_err2str(err));
  }
  KafkaMetadata metadata(raw);
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(
        "topic " + topic + ": " +
        (metadata->topic_cnt == 1 ? rd_kafka_err2str(metadata->topics[0].err) : "not found"));
  }
  return metadata->topics[0].partition_cnt;
}

// The group's state and every member with its partitions of `topic`.
struct GroupDescription {
  std::string state;
  std::vector<GroupMember> members;
};

// Describes `group`, or returns a one-line reason.
Result<GroupDescription> DescribeGroup(rd_kafka_t* client, const std::string& group,
                                       const std::string& topic, int timeout_ms) {
  AdminPtr<rd_kafka_queue_t> queue(rd_kafka_queue_new(client));
  AdminPtr<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr,
                                                sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(errstr);
  }
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(client, groups, 1, options.get(), queue.get());
  // The request times out on its own after timeout_ms; the extra second covers the queueing.
  AdminPtr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!event) {
    return Err("DescribeConsumerGroups did not answer");
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("DescribeConsumerGroups: ") + rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_DescribeConsumerGroups_result_t* result =
      rd_kafka_event_DescribeConsumerGroups_result(event.get());
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** descriptions =
      rd_kafka_DescribeConsumerGroups_result_groups(result, &count);
  if (result == nullptr || count != 1) {
    return Err("DescribeConsumerGroups: no description of group " + group);
  }
  const rd_kafka_ConsumerGroupDescription_t* description = descriptions[0];
  if (const rd_kafka_error_t* failed = rd_kafka_ConsumerGroupDescription_error(description)) {
    return Err("group " + group + ": " + rd_kafka_error_string(failed));
  }
  GroupDescription described;
  described.state =
      rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(description));
  size_t member_count = rd_kafka_ConsumerGroupDescription_member_count(description);
  for (size_t i = 0; i < member_count; ++i) {
    const rd_kafka_MemberDescription_t* m =
        rd_kafka_ConsumerGroupDescription_member(description, i);
    GroupMember member;
    member.client_id = rd_kafka_MemberDescription_client_id(m);
    const char* instance = rd_kafka_MemberDescription_group_instance_id(m);
    if (instance != nullptr) member.instance_id = instance;
    const rd_kafka_topic_partition_list_t* assigned =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    for (int j = 0; assigned != nullptr && j < assigned->cnt; ++j) {
      if (topic == assigned->elems[j].topic)
        member.partitions.push_back(assigned->elems[j].partition);
    }
    described.members.push_back(std::move(member));
  }
  return described;
}

}  // namespace

GroupDirectory::GroupDirectory(KafkaConfig kafka, const Clock& clock)
    : kafka_(std::move(kafka)), clock_(clock) {}

GroupDirectory::~GroupDirectory() { Stop(); }

Result<void> GroupDirectory::Start() {
  KafkaProperties base = {{"bootstrap.servers", kafka_.bootstrap_servers},
                          {"log.connection.close", "false"}};
  Result<KafkaHandle> client = CreateKafkaClient(
      RD_KAFKA_PRODUCER, "the consumer group directory client", {&base, &kafka_.properties}, {});
  if (!client) {
    return client.error();
  }
  client_ = std::move(client).value();
  thread_ = std::thread([this] { Run(); });
  return Ok();
}

void GroupDirectory::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupDirectory::FindOwner(std::string customer_id, std::function<void(OwnerLookup)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stop_) {
      requests_.push_back({std::move(customer_id), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done({.partition = -1, .address = {}, .problem = "the service is stopping"});
}

void GroupDirectory::Invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  stale_ = true;
}

void GroupDirectory::Run() {
  NameThisThread("cx-directory");
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !requests_.empty(); });
    if (stop_) break;
    std::deque<Request> batch;
    batch.swap(requests_);
    bool describe = stale_ || clock_.Monotonic() - described_at_ >= kMaxAge;
    stale_ = false;
    lock.unlock();
    if (describe) {
      Result<PartitionOwners> owners = Describe();
      if (owners) {
        owners_ = std::move(owners).value();
        describe_error_.clear();
        described_at_ = clock_.Monotonic();
      } else {
        std::string error = owners.error().message();
        // Once per distinct failure: every lookup retries while the brokers are away.
        auto level = error == describe_error_ ? spdlog::level::debug : spdlog::level::warn;
        spdlog::log(level, "customers: cannot find the owners of group {}: {}", kafka_.group_id,
                    error);
        owners_ = {};
        describe_error_ = std::move(error);
        described_at_ = {};
      }
    }
    for (Request& request : batch) request.done(Answer(request.customer_id));
    lock.lock();
  }
  std::deque<Request> rest;
  rest.swap(requests_);
  lock.unlock();
  for (Request& request : rest) request.done({-1, {}, "the service is stopping"});
}

Result<PartitionOwners> GroupDirectory::Describe() {
  const auto timeout_ms = static_cast<int>(kDescribeTimeout.count());
  Result<int> partitions = PartitionCount(client_.get(), kafka_.topics.clicks, timeout_ms);
  if (!partitions) return partitions.error();
  if (*partitions <= 0) return Err("topic " + kafka_.topics.clicks + " has no partitions");
  Result<GroupDescription> group =
      DescribeGroup(client_.get(), kafka_.group_id, kafka_.topics.clicks, timeout_ms);
  if (!group) return group.error();
  PartitionOwners owners = OwnersOf(*partitions, group->members, std::move(group->state));
  spdlog::debug("customers: group {} is {} with {} member(s)", kafka_.group_id, owners.group_state,
                group->members.size());
  return owners;
}

OwnerLookup GroupDirectory::Answer(const std::string& customer_id) const {
  OwnerLookup answer;
  if (owners_.partitions <= 0) {
    answer.problem = "cannot find the owner: " + describe_error_;
    return answer;
  }
  answer.partition = CustomerPartition(customer_id, owners_.partitions);
  answer.address = owners_.address[static_cast<size_t>(answer.partition)];
  if (answer.address.empty()) {
    answer.problem = fmt::format("no member of group {} serves partition {} (group {})",
                                 kafka_.group_id, answer.partition, owners_.group_state);
  }
  return answer;
}

}  // namespace cx
