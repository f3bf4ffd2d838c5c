#include "runtime/notify/notifier.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/http/http_server.h"

namespace cx {
namespace {

// The delivery engine across its threads, against a real local endpoint (runtime/http's
// server): jobs submitted from two threads at once, some answered 503 first and retried, some
// refused (400), every one finished exactly once on the notifier's thread. Under ThreadSanitizer
// (tools/sanitize.sh thread) this is the notifier's race check.
TEST(Notifier, JobsFromTwoThreadsAreEachFinishedOnceWithRetries) {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::string> refused_once;  // idempotency keys answered 503 once already
  std::multiset<std::string> received;
  HttpBackend backend;
  backend.handle = [&](const HttpRequest& request, std::function<void(HttpReply)> reply) {
    if (request.path != "/hook") return false;
    std::string key = request.body;  // the test's bodies are the keys, quoted
    std::lock_guard<std::mutex> lock(mutex);
    received.insert(key);
    if (key.find("retry") != std::string::npos && refused_once.insert(key).second) {
      reply({503, "{}"});
    } else if (key.find("bad") != std::string::npos) {
      reply({400, "{}"});
    } else {
      reply({200, "{}"});
    }
    return true;
  };
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpServer server(options, backend);
  Result<void> started = server.Start();
  ASSERT_TRUE(started) << started.error().message();

  NotifyConfig config;
  config.webhook.concurrency = 3;
  config.webhook.rate_per_second = 10'000;
  config.backoff_initial = Duration::Millis(20);
  config.backoff_max = Duration::Millis(50);
  config.request_timeout = Duration::Seconds(5);
  SystemClock clock;
  NotifyMetrics metrics;
  std::vector<std::pair<std::string, bool>> finished;
  std::set<std::thread::id> finishing_threads;
  Notifier notifier(config, clock, metrics, [&](NotifyJob job, bool delivered) {
    std::lock_guard<std::mutex> lock(mutex);
    finished.emplace_back(job.idempotency_key, delivered);
    finishing_threads.insert(std::this_thread::get_id());
    changed.notify_all();
  });
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  ASSERT_TRUE(notifier.Start({{Destination::kWebhook, url}}));

  constexpr int kPerThread = 40;
  auto submit = [&](const std::string& prefix) {
    for (int i = 0; i < kPerThread; ++i) {
      NotifyJob job;
      job.url = url;
      job.idempotency_key =
          prefix + std::to_string(i) + (i % 5 == 0 ? "-retry" : "") + (i % 13 == 0 ? "-bad" : "");
      job.body = "\"" + job.idempotency_key + "\"";
      notifier.Submit(std::move(job));
    }
  };
  std::thread a(submit, "a");
  std::thread b(submit, "b");
  a.join();
  b.join();
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(60),
                                 [&] { return finished.size() >= 2 * kPerThread; }))
        << finished.size() << " of " << 2 * kPerThread << " finished";
  }
  notifier.Stop();
  server.Stop();
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(finished.size(), 2U * kPerThread);
  std::set<std::string> keys;
  for (const auto& [key, delivered] : finished) {
    EXPECT_TRUE(keys.insert(key).second) << key << " finished twice";
    const bool bad = key.find("bad") != std::string::npos;
    EXPECT_EQ(delivered, !bad) << key;
    const bool retried = key.find("retry") != std::string::npos;  // 503 first, then its answer
    EXPECT_EQ(received.count("\"" + key + "\""), retried ? 2U : 1U) << key;
  }
  EXPECT_EQ(finishing_threads.size(), 1U);
  EXPECT_EQ(finishing_threads.count(std::this_thread::get_id()), 0U);
}

}  // namespace
}  // namespace cx
