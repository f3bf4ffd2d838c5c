#include "runtime/kafka/group_directory.h"

#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_clients.h"

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

// The partition count of `topic`; 0 with a one-line reason.
int PartitionCount(rd_kafka_t* client, const std::string& topic, int timeout_ms,
                   std::string& error) {
  AdminPtr<rd_kafka_topic_t> handle(rd_kafka_topic_new(client, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, handle.get(), &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("cannot read the metadata of ") + topic + ": " + rd_kafka_err2str(err);
    return 0;
  }
  KafkaMetadata metadata(raw);
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "topic " + topic + ": " +
            (metadata->topic_cnt == 1 ? rd_kafka_err2str(metadata->topics[0].err) : "not found");
    return 0;
  }
  return metadata->topics[0].partition_cnt;
}

// Every member of `group` with its partitions of `topic`; false with a one-line reason.
bool DescribeGroup(rd_kafka_t* client, const std::string& group, const std::string& topic,
                   int timeout_ms, std::vector<GroupMember>& members, std::string& state,
                   std::string& error) {
  AdminPtr<rd_kafka_queue_t> queue(rd_kafka_queue_new(client));
  AdminPtr<rd_kafka_AdminOptions_t> options(
      rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr,
                                                sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = errstr;
    return false;
  }
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(client, groups, 1, options.get(), queue.get());
  // The request times out on its own after timeout_ms; the extra second covers the queueing.
  AdminPtr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!event) {
    error = "DescribeConsumerGroups did not answer";
    return false;
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("DescribeConsumerGroups: ") + rd_kafka_event_error_string(event.get());
    return false;
  }
  const rd_kafka_DescribeConsumerGroups_result_t* result =
      rd_kafka_event_DescribeConsumerGroups_result(event.get());
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** descriptions =
      rd_kafka_DescribeConsumerGroups_result_groups(result, &count);
  if (result == nullptr || count != 1) {
    error = "DescribeConsumerGroups: no description of group " + group;
    return false;
  }
  const rd_kafka_ConsumerGroupDescription_t* description = descriptions[0];
  if (const rd_kafka_error_t* failed = rd_kafka_ConsumerGroupDescription_error(description)) {
    error = "group " + group + ": " + rd_kafka_error_string(failed);
    return false;
  }
  state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(description));
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
    members.push_back(std::move(member));
  }
  return true;
}

}  // namespace

GroupDirectory::GroupDirectory(KafkaConfig kafka, const Clock& clock)
    : kafka_(std::move(kafka)), clock_(clock) {}

GroupDirectory::~GroupDirectory() { Stop(); }

bool GroupDirectory::Start(std::string& error) {
  KafkaProperties base = {{"bootstrap.servers", kafka_.bootstrap_servers},
                          {"log.connection.close", "false"}};
  Result<KafkaHandle> client = CreateKafkaClient(
      RD_KAFKA_PRODUCER, "the consumer group directory client", {&base, &kafka_.properties}, {});
  if (!client) {
    error = client.error().message();
    return false;
  }
  client_ = std::move(client).value();
  thread_ = std::thread([this] { Run(); });
  return true;
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
      PartitionOwners owners;
      std::string error;
      if (Describe(owners, error)) {
        owners_ = std::move(owners);
        describe_error_.clear();
        described_at_ = clock_.Monotonic();
      } else {
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

bool GroupDirectory::Describe(PartitionOwners& owners, std::string& error) {
  const auto timeout_ms = static_cast<int>(kDescribeTimeout.count());
  int partitions = PartitionCount(client_.get(), kafka_.topics.clicks, timeout_ms, error);
  if (partitions <= 0) return false;
  std::vector<GroupMember> members;
  std::string state;
  if (!DescribeGroup(client_.get(), kafka_.group_id, kafka_.topics.clicks, timeout_ms, members,
                     state, error)) {
    return false;
  }
  owners = OwnersOf(partitions, members, std::move(state));
  spdlog::debug("customers: group {} is {} with {} member(s)", kafka_.group_id, owners.group_state,
                members.size());
  return true;
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
