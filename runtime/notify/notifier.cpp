#include "runtime/notify/notifier.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/config/routing_config_yaml.h"
#include "runtime/config/routing_table.h"
#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

int64_t SteadyMillis(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Notifier::Notifier(const NotifyConfig& config, const Clock& clock, NotifyMetrics& metrics,
                   Finished on_finished)
    : config_(config), clock_(clock), metrics_(metrics), on_finished_(std::move(on_finished)) {}

Notifier::~Notifier() { Stop(); }

Result<void> Notifier::Start(const std::vector<std::pair<Destination, std::string>>& endpoints) {
  boost::system::error_code ec;
  SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
  tls_.set_default_verify_paths(ec);
  if (ec) spdlog::warn("notify: cannot load the system's CA certificates: {}", ec.message());
  if (!config_.ca_file.empty()) {
    tls_.load_verify_file(config_.ca_file, ec);
    if (ec) {
      return Err("notify.ca_file: cannot load " + config_.ca_file + ": " + ec.message());
    }
  }
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      io_.get_executor());
  thread_ = std::thread([this] {
    NameThisThread("cx-notify");
    io_.run();
  });
  for (const auto& [destination, url] : endpoints) {
    HttpEndpoint endpoint;
    if (ParseHttpEndpoint(url, endpoint)) {
      asio::co_spawn(io_, Probe(destination, std::move(endpoint)), asio::detached);
    }
  }
  return Ok();
}

void Notifier::Stop() {
  if (!thread_.joinable()) return;
  work_.reset();
  io_.stop();
  thread_.join();
}

void Notifier::Submit(NotifyJob job) {
  auto shared = std::make_shared<NotifyJob>(std::move(job));
  shared->queued_at = SteadyClock::now();
  shared->first_queued = clock_.Now();
  asio::post(io_, [this, shared] { Enqueue(std::make_unique<NotifyJob>(std::move(*shared))); });
}

Notifier::Lane& Notifier::LaneFor(const NotifyJob& job) {
  auto [it, added] = lanes_.try_emplace(job.url);
  Lane& lane = it->second;
  if (added) {
    lane.destination = job.destination;
    lane.settings = DestinationSettings(config_, job.destination);
    static_cast<void>(ParseHttpEndpoint(job.url, lane.endpoint));
    lane.bucket = TokenBucket(lane.settings->rate_per_second,
                              static_cast<double>(lane.settings->concurrency));
    lane.wake = std::make_unique<asio::steady_timer>(io_);
  }
  return lane;
}

void Notifier::Enqueue(std::unique_ptr<NotifyJob> job) {
  Lane& lane = LaneFor(*job);
  if (lane.endpoint.host.empty()) {
    job->last_error = "not an http(s) URL";
    job->cause = DeadLetterCause::kRejected;
    ++lane.held;
    Finish(lane, std::move(job), false);
    return;
  }
  if (lane.held >= lane.settings->max_pending) {
    job->last_error = "backlog full: " + std::to_string(lane.held) + " messages held";
    job->cause = DeadLetterCause::kBacklogFull;
    ++lane.held;
    Finish(lane, std::move(job), false);
    return;
  }
  ++lane.held;
  lane.ready.push_back(std::move(job));
  UpdatePending(lane.destination);
  Pump(lane);
}

void Notifier::ArmWake(Lane& lane, SteadyClock::time_point at) {
  if (lane.wake_armed) return;
  lane.wake_armed = true;
  lane.wake->expires_at(at);
  lane.wake->async_wait([this, &lane](boost::system::error_code ec) {
    lane.wake_armed = false;
    if (!ec) Pump(lane);
  });
}

void Notifier::Pump(Lane& lane) {
  while (lane.active < lane.settings->concurrency && !lane.ready.empty()) {
    const auto now = SteadyClock::now();
    if (now < lane.paused_until) {
      ArmWake(lane, lane.paused_until);
      return;
    }
    const int64_t now_ms = SteadyMillis(now);
    if (!lane.bucket.TryTake(now_ms)) {
      ArmWake(lane, now + std::chrono::milliseconds(lane.bucket.NextTokenAt(now_ms) - now_ms));
      return;
    }
    std::unique_ptr<NotifyJob> job = std::move(lane.ready.front());
    lane.ready.pop_front();
    ++lane.active;
    asio::co_spawn(io_, Attempt(lane, std::move(job)), asio::detached);
  }
}

asio::awaitable<void> Notifier::Attempt(Lane& lane, std::unique_ptr<NotifyJob> job) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Idempotency-Key", job->idempotency_key}};
  if (!job->token.empty()) headers.emplace_back("Authorization", "Bearer " + job->token);
  const auto started = SteadyClock::now();
  PostResult result = co_await PostJson(tls_, lane.endpoint, job->body, headers,
                                        std::chrono::milliseconds(config_.request_timeout.ms));
  metrics_.OnAttempt(lane.destination, SteadyClock::now() - started);
  --lane.active;
  AfterAttempt(lane, std::move(job), result);
  Pump(lane);
}

void Notifier::AfterAttempt(Lane& lane, std::unique_ptr<NotifyJob> job, const PostResult& result) {
  ++job->attempts;
  const AttemptOutcome outcome = ClassifyStatus(result.status);
  if (outcome == AttemptOutcome::kDelivered) {
    metrics_.OnDelivered(lane.destination, SteadyClock::now() - job->queued_at);
    Finish(lane, std::move(job), true);
    return;
  }
  job->last_error = result.status == 0 ? result.error : "HTTP " + std::to_string(result.status);
  spdlog::debug("notify: {} {} attempt {} for {}: {}", ToString(lane.destination),
                lane.endpoint.host, job->attempts, job->idempotency_key, job->last_error);
  if (outcome == AttemptOutcome::kPermanent) {
    job->cause = DeadLetterCause::kRejected;
    Finish(lane, std::move(job), false);
    return;
  }
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  std::chrono::milliseconds delay =
      BackoffDelay(job->attempts, config_.backoff_initial, config_.backoff_max, jitter);
  if (result.status == 408 || result.status == 429 || result.status == 503) {
    if (auto after = ParseRetryAfter(result.retry_after, clock_.Now())) {
      delay = std::max(delay, *after);
      lane.paused_until = std::max(lane.paused_until, SteadyClock::now() + *after);
    }
  }
  const auto retry_at = SteadyClock::now() + delay;
  if (retry_at - job->queued_at > std::chrono::milliseconds(config_.give_up_after.ms)) {
    job->cause = DeadLetterCause::kGaveUp;
    Finish(lane, std::move(job), false);
    return;
  }
  metrics_.OnRetry(lane.destination);
  auto timer = std::make_shared<asio::steady_timer>(io_, retry_at);
  timer->async_wait([this, &lane, timer,
                     j = std::shared_ptr<NotifyJob>(job.release())](boost::system::error_code ec) {
    if (ec) return;
    lane.ready.push_back(std::make_unique<NotifyJob>(std::move(*j)));
    Pump(lane);
  });
}

void Notifier::Finish(Lane& lane, std::unique_ptr<NotifyJob> job, bool delivered) {
  --lane.held;
  if (!delivered) metrics_.OnDeadLetter(lane.destination, job->cause);
  UpdatePending(lane.destination);
  on_finished_(std::move(*job), delivered);
}

void Notifier::UpdatePending(Destination destination) {
  size_t held = 0;
  for (const auto& [url, lane] : lanes_) {
    if (lane.destination == destination) held += lane.held;
  }
  metrics_.SetPending(destination, static_cast<double>(held));
}

asio::awaitable<void> Notifier::Probe(Destination destination, HttpEndpoint endpoint) {
  asio::ip::tcp::resolver resolver(io_);
  boost::system::error_code ec;
  auto results = co_await resolver.async_resolve(endpoint.host, endpoint.port,
                                                 asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    asio::ip::tcp::socket socket(io_);
    asio::steady_timer deadline(io_, std::chrono::seconds(5));
    deadline.async_wait([&socket](boost::system::error_code e) {
      if (!e) socket.close();
    });
    co_await asio::async_connect(socket, results, asio::redirect_error(asio::use_awaitable, ec));
    deadline.cancel();
  }
  if (ec) {
    spdlog::warn(
        "notify: {} endpoint {}:{} is unreachable at start ({}); delivering anyway, "
        "with retries",
        ToString(destination), endpoint.host, endpoint.port, ec.message());
  } else {
    spdlog::info("notify: {} endpoint {}:{} reachable", ToString(destination), endpoint.host,
                 endpoint.port);
  }
}

}  // namespace cx
