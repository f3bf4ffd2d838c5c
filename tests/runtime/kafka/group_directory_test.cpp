#include "runtime/kafka/group_directory.h"

#include <chrono>
#include <future>
#include <string>

#include <gtest/gtest.h>

namespace cx {
namespace {

// Without a broker every lookup ends with a one-line problem (no customer id in it), within
// the description's timeouts, and Stop() answers what is still queued.
TEST(GroupDirectoryTest, WithoutABrokerTheOwnerIsUnknownWithAReason) {
  KafkaConfig kafka;
  kafka.bootstrap_servers = "127.0.0.1:1";
  kafka.group_id = "g";
  SystemClock clock;
  GroupDirectory directory(kafka, clock);
  Result<void> start = directory.Start();
  ASSERT_TRUE(start.ok()) << start.error().message();
  std::promise<OwnerLookup> answered;
  auto started = std::chrono::steady_clock::now();
  directory.FindOwner("c-secret-42", [&answered](OwnerLookup found) { answered.set_value(found); });
  std::future<OwnerLookup> future = answered.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  OwnerLookup found = future.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(found.address, "");
  EXPECT_EQ(found.partition, -1);
  EXPECT_TRUE(found.problem.starts_with("cannot find the owner: ")) << found.problem;
  EXPECT_EQ(found.problem.find("c-secret-42"), std::string::npos);
  EXPECT_EQ(found.problem.find('\n'), std::string::npos);
  directory.Stop();
  std::promise<OwnerLookup> after_stop;
  directory.FindOwner("c-1", [&after_stop](OwnerLookup found) { after_stop.set_value(found); });
  EXPECT_EQ(after_stop.get_future().get().problem, "the service is stopping");
}

}  // namespace
}  // namespace cx
