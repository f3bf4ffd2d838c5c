#include "runtime/kafka/processor_group.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "runtime/kafka/partition_owners.h"
#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

// How often Run() looks at the stop flag and refreshes the process's status.
constexpr auto kSuperviseEvery = std::chrono::milliseconds(10);

}  // namespace

ProcessorGroup::ProcessorGroup(AppConfig config, const Clock& clock, int threads)
    : config_(std::move(config)), clock_(clock), threads_(std::max(threads, 1)) {
  workers_.reserve(static_cast<size_t>(threads_));
  // One RocksDB budget for every shard of every thread.
  if (config_.state.memory_mb > 0) {
    config_.state.store.shared_memory =
        std::make_shared<StoreMemory>(config_.state.RocksdbSharedBytes());
  }
}

ProcessorGroup::~ProcessorGroup() = default;

std::unique_ptr<LiveProcessor> ProcessorGroup::MakeWorker(int index) const {
  std::string suffix = threads_ == 1 ? std::string() : "-t" + std::to_string(index);
  auto worker = std::make_unique<LiveProcessor>(config_, clock_, suffix);
  if (!advertised_http_.empty()) worker->AdvertiseHttpAddress(advertised_http_);
  return worker;
}

Result<void> ProcessorGroup::Start() {
  if (threads_ > 1) fan_in_.emplace(observers_, threads_);
  for (int i = 0; i < threads_; ++i) {
    std::unique_ptr<LiveProcessor> worker = MakeWorker(i);
    if (fan_in_) {
      worker->AddObserver(&fan_in_->member(i));
    } else {
      for (LiveObserver* observer : observers_) worker->AddObserver(observer);
    }
    if (Result<void> started = worker->Start(); !started) {
      return started;
    }
    if (i == 0) {
      partitions_ = worker->input_partitions();
      owner_hint_ = std::make_unique<std::atomic<size_t>[]>(static_cast<size_t>(partitions_));
      if (threads_ > partitions_) {
        spdlog::info("run: {} processing threads asked for, {} input partitions: running {}",
                     threads_, partitions_, partitions_);
      }
    }
    workers_.push_back(std::move(worker));
    started_.store(workers_.size());
    if (static_cast<int>(workers_.size()) >= partitions_) break;
  }
  spdlog::info("run: {} processing thread(s)", workers_.size());
  return Ok();
}

void ProcessorGroup::RequestCustomer(std::string customer_id, LiveProcessor::CustomerReply reply) {
  const size_t started = started_.load();
  if (started == 0) {
    reply({});
    return;
  }
  size_t first = 0;
  if (started > 1 && partitions_ > 0) {
    first = owner_hint_[static_cast<size_t>(CustomerPartition(customer_id, partitions_))].load() %
            started;
  }
  Ask(first, 0, std::move(customer_id), std::move(reply));
}

void ProcessorGroup::Ask(size_t worker, size_t asked, std::string customer_id,
                         LiveProcessor::CustomerReply reply) {
  std::string id = customer_id;
  workers_[worker]->RequestCustomer(
      std::move(id), [this, worker, asked, customer_id = std::move(customer_id),
                      reply = std::move(reply)](LiveProcessor::CustomerAnswer answer) mutable {
        const size_t started = started_.load();
        if (answer.kind != LiveProcessor::CustomerAnswer::Kind::kNotOwned) {
          if (partitions_ > 0) {
            owner_hint_[static_cast<size_t>(CustomerPartition(customer_id, partitions_))].store(
                worker);
          }
          reply(std::move(answer));
        } else if (asked + 1 >= started) {
          reply(std::move(answer));
        } else {
          Ask((worker + 1) % started, asked + 1, std::move(customer_id), std::move(reply));
        }
      });
}

void ProcessorGroup::RefreshStatus() {
  bool ready = !workers_.empty();
  int assigned = 0;
  bool reachable = true;
  uint64_t consumed = 0, dead = 0, committed = 0, aborted = 0, overtakes = 0;
  for (const auto& worker : workers_) {
    const LiveStatus& s = worker->status();
    ready = ready && s.ready.load();
    assigned += s.assigned_shards.load();
    reachable = reachable && s.broker_reachable.load();
    consumed += s.events_consumed.load();
    dead += s.dead_letters.load();
    committed += s.transactions_committed.load();
    aborted += s.transactions_aborted.load();
    overtakes += s.merge_overtakes.load();
  }
  status_.assigned_shards = assigned;
  status_.broker_reachable = reachable;
  status_.events_consumed = consumed;
  status_.dead_letters = dead;
  status_.transactions_committed = committed;
  status_.transactions_aborted = aborted;
  status_.merge_overtakes = overtakes;
  status_.ready = ready;
}

Result<void> ProcessorGroup::Run(const std::atomic<bool>& stop) { return Run(stop, kStopBound); }

Result<void> ProcessorGroup::Run(const std::atomic<bool>& stop, Duration stop_bound) {
  std::atomic<bool> stop_all{false};
  std::vector<std::jthread> threads;
  threads.reserve(workers_.size());
  finished_workers_.assign(workers_.size(), false);
  for (size_t i = 0; i < workers_.size(); ++i) {
    threads.emplace_back([this, i, &stop_all] {
      NameThisThread("cx-proc-" + std::to_string(i));
      Result<void> ran = workers_[i]->Run(stop_all);
      std::lock_guard lock(mutex_);
      if (!ran && first_error_.empty()) {
        first_error_ = ran.error().message();
      }
      ++finished_count_;
      finished_workers_[i] = true;
      finished_.notify_all();
    });
  }
  std::optional<MonotonicTime> stopping_since;
  {
    std::unique_lock lock(mutex_);
    while (finished_count_ < threads.size()) {
      // One processor that returned (an error) stops the others.
      if (stop.load() || finished_count_ > 0) {
        stop_all.store(true);
        if (!stopping_since) stopping_since = clock_.Monotonic();
      }
      if (stopping_since &&
          clock_.Monotonic() - *stopping_since >= std::chrono::milliseconds(stop_bound.ms)) {
        abandoned_ = true;
        break;
      }
      lock.unlock();
      RefreshStatus();
      lock.lock();
      finished_.wait_for(lock, kSuperviseEvery);
    }
  }
  if (abandoned_) {
    return Abandon(threads, stop_bound);
  }
  threads.clear();  // joins
  RefreshStatus();
  status_.ready = false;
  if (!first_error_.empty()) {
    return Err(first_error_);
  }
  return Ok();
}

Result<void> ProcessorGroup::Abandon(std::vector<std::jthread>& threads, Duration stop_bound) {
  // The stuck processors' threads still use their processors (and, through the observers, what
  // the caller owns): neither may be destroyed or joined. The caller exits the process.
  std::string stuck;
  started_.store(0);  // lookups from the HTTP thread are answered "not owned" from now on
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < threads.size(); ++i) {
    if (finished_workers_[i]) {
      threads[i].join();
      continue;
    }
    threads[i].detach();
    static_cast<void>(workers_[i].release());
    stuck += (stuck.empty() ? "" : ", ") + std::to_string(i);
  }
  status_.ready = false;
  spdlog::error(
      "run: processing thread(s) {} did not stop within {} s of the stop (blocked in the Kafka "
      "client); exiting without their last commit: their uncommitted events are processed again",
      stuck, stop_bound.ms / 1000);
  return Err("processing thread(s) " + stuck + " did not stop within " +
             std::to_string(stop_bound.ms / 1000) + " s");
}

}  // namespace cx
