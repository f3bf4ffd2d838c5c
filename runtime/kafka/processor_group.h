#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/config/config.h"
#include "runtime/kafka/live_processor.h"
#include "runtime/kafka/live_status.h"
#include "runtime/kafka/observer_fan_in.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// `cxpulse run` on `threads` processing threads (processing.threads, resolved by
// AvailableProcessingThreads): Kafka Streams' stream-thread model under exactly-once v2. Each
// thread runs one LiveProcessor, its own consumer group member with its own transactional
// producer and the shards of the partitions the group assigns it; shards share nothing. With
// one thread the processor is exactly `cxpulse run`'s single processor (same group member and
// transactional id); with more, processor i joins as instance id + "-t<i>". Never more threads
// than input partitions (the rest would stay idle).
//
//   ProcessorGroup group(config, clock, threads);
//   group.AddObserver(&probe);                 // before Start()
//   if (!group.Start()) ...                     // every processor connects and joins, in turn
//   Result<void> ran = group.Run(stop);         // until `stop`, or the first processor's error
//
// The HTTP thread only reads status() and calls RequestCustomer().
class ProcessorGroup {
 public:
  ProcessorGroup(AppConfig config, const Clock& clock, int threads);
  ~ProcessorGroup();
  ProcessorGroup(const ProcessorGroup&) = delete;
  ProcessorGroup& operator=(const ProcessorGroup&) = delete;

  // The process's status: ready when every processor is; the counters summed. Refreshed by
  // Run() every few milliseconds.
  [[nodiscard]] const LiveStatus& status() const { return status_; }
  [[nodiscard]] const RulesConfig& rules() const { return config_.rules; }
  [[nodiscard]] const ReasonsConfig& reasons() const { return config_.reasons; }
  // The processing threads asked for (Start() may run fewer: at most one per input partition).
  [[nodiscard]] int threads() const { return threads_; }
  // Adds an observer of every processor; called from one processing thread at a time
  // (ObserverFanIn). Before Start(); it must outlive Run().
  void AddObserver(LiveObserver* observer) { observers_.push_back(observer); }
  // LiveProcessor::AdvertiseHttpAddress for every processor. Before Start().
  void AdvertiseHttpAddress(std::string address) { advertised_http_ = std::move(address); }

  // Thread-safe. One customer's current state from the processor whose shard holds its
  // partition (the one that answered for that partition last is asked first, then the others);
  // not owned when no processor here holds it (or before Start()).
  void RequestCustomer(std::string customer_id, LiveProcessor::CustomerReply reply);

  // Creates and starts the processors, one after the other. The first one's reason on failure.
  [[nodiscard]] Result<void> Start();
  // Runs every processor on its own thread until `stop` is raised or one fails; then stops the
  // others (each commits what it processed and leaves the group) and waits for them, at most
  // `stop_bound` (kStopBound) from then: a processor still running after that is abandoned
  // (abandoned() turns true; its thread and state are left to the process's exit, which must
  // not wait for them: a blocking call of the Kafka client can outlast its own timeout after a
  // broker restart). The first failure's reason, else Ok.
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop);
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop, Duration stop_bound);
  // Run() gave up waiting for a processor: exit the process without destructors (std::_Exit)
  // and with a failure; its uncommitted events are processed again by the next owner.
  [[nodiscard]] bool abandoned() const { return abandoned_; }

  // How long Run() waits for the processors once stopping: the last commit's retries end after
  // 5 s, and each call into the Kafka client is bounded by 10 s (Transactions), so a processor
  // that has not stopped by then is blocked in the client; below Kubernetes' 30 s grace period.
  static constexpr Duration kStopBound = Duration::Seconds(25);

 private:
  void Ask(size_t worker, size_t asked, std::string customer_id,
           LiveProcessor::CustomerReply reply);
  void RefreshStatus();
  // Run()'s end when processors did not stop within `stop_bound`: joins the ones that stopped,
  // detaches and leaks the others, logs which.
  [[nodiscard]] Result<void> Abandon(std::vector<std::jthread>& threads, Duration stop_bound);
  [[nodiscard]] std::unique_ptr<LiveProcessor> MakeWorker(int index) const;

  AppConfig config_;
  const Clock& clock_;
  int threads_;
  std::vector<LiveObserver*> observers_;
  std::string advertised_http_;
  std::optional<ObserverFanIn> fan_in_;
  // Reserved for threads_ at construction (never reallocated); the first started_ are started
  // and may be used by any thread.
  std::vector<std::unique_ptr<LiveProcessor>> workers_;
  std::atomic<size_t> started_{0};
  int partitions_ = 0;
  // Per input partition: the processor that answered a lookup for it last.
  std::unique_ptr<std::atomic<size_t>[]> owner_hint_;
  LiveStatus status_;

  // Run(): processors that returned, and the first failure's reason (under mutex_).
  std::mutex mutex_;
  std::condition_variable finished_;
  size_t finished_count_ = 0;
  std::vector<bool> finished_workers_;
  std::string first_error_;
  bool abandoned_ = false;
};

}  // namespace cx
