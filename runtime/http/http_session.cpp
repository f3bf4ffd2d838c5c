#include "runtime/http/http_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "runtime/http/http_alert_feed.h"
#include "runtime/http/http_request_checks.h"
#include "runtime/http/outreach_assets.h"
#include "schemas/json_writer.h"

namespace cx {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kText = "text/plain; charset=utf-8";
constexpr std::string_view kPagePolicy =
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'";
constexpr auto kLingerTimeout = std::chrono::seconds(2);

const std::string kSseHeader =
    "HTTP/1.1 200 OK\r\nServer: cxpulse\r\nContent-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Accel-Buffering: no\r\n"
    "Connection: close\r\n\r\nretry: 2000\n\n";
const auto kHeartbeat = std::make_shared<const std::string>(": heartbeat\n\n");

}  // namespace

bool EvictLongestWaiting(HttpServerCore& core) {
  while (!core.waiting.empty()) {
    std::shared_ptr<HttpSession> session = core.waiting.front().lock();
    if (session) {
      session->Evict();  // removes it from `waiting`
      return true;
    }
    core.waiting.pop_front();
  }
  return false;
}

HttpSession::HttpSession(asio::ip::tcp::socket socket, HttpServerCore& core)
    : core_(core), stream_(std::move(socket)), timer_(stream_.get_executor()) {
  ++core_.connections;
}

HttpSession::~HttpSession() {
  StopWaiting();
  if (subscription_ != 0) feed_->Unsubscribe(subscription_);
  if (streaming_) --core_.sse_clients;
  --core_.connections;
}

void HttpSession::Start() { DoRead(); }

void HttpSession::Evict() {
  spdlog::debug("http: connection limit reached; closing the connection waiting longest");
  Close();
}

void HttpSession::StartWaiting() {
  if (waiting_) return;
  waiting_it_ = core_.waiting.insert(core_.waiting.end(), weak_from_this());
  waiting_ = true;
}

void HttpSession::StopWaiting() {
  if (!waiting_) return;
  core_.waiting.erase(waiting_it_);
  waiting_ = false;
}

void HttpSession::DoRead() {
  StartWaiting();
  if (first_request_ || buffer_.size() > 0) {
    first_request_ = false;
    ReadRequest();
    return;
  }
  // Keep-alive: the next request may take read_timeout to start, then header_timeout to arrive.
  timer_.expires_after(core_.options.read_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->Close();
  });
  stream_.socket().async_wait(asio::ip::tcp::socket::wait_read,
                              [self = shared_from_this()](beast::error_code error) {
                                self->timer_.cancel();
                                if (error || self->closed_) {
                                  self->Close();
                                  return;
                                }
                                self->ReadRequest();
                              });
}

void HttpSession::ReadRequest() {
  parser_.emplace();
  parser_->body_limit(kHttpBodyLimit);
  parser_->header_limit(kHttpHeaderLimit);
  stream_.expires_after(core_.options.header_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
}

void HttpSession::OnRead(beast::error_code error) {
  StopWaiting();
  if (closed_) return;
  if (error == http::error::header_limit) {
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    linger_ = true;
    auto unparsed = buffer_.data();
    auto target = parser_->get().target();
    unsigned status = OversizedHeaderStatus(
        std::string_view(target.data(), target.size()),
        std::string_view(static_cast<const char*>(unparsed.data()), unparsed.size()),
        kHttpRequestLineLimit);
    Send(Error(status, status == 414 ? "request line too long" : "request headers too large"));
    return;
  }
  if (error == http::error::end_of_stream || error == beast::error::timeout ||
      error == asio::error::operation_aborted || error == asio::error::connection_reset ||
      error == asio::error::eof) {
    Close();
    return;
  }
  if (error) {
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    linger_ = true;
    Send(Error(400, "malformed request"));
    return;
  }
  Handle();
}

HttpSession::Response HttpSession::MakeResponse(unsigned status, std::string_view content_type,
                                                std::string body) const {
  Response response{static_cast<http::status>(status), version_};
  response.set(http::field::server, "cxpulse");
  response.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(keep_alive_);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpSession::Response HttpSession::Error(unsigned status, std::string_view message) const {
  return MakeResponse(status, kJson, JsonErrorReply(status, message).body);
}

void HttpSession::Handle() {
  const auto& request = parser_->get();
  head_ = request.method() == http::verb::head;
  keep_alive_ = request.keep_alive();
  version_ = request.version();
  if (request.target().size() > kHttpRequestLineLimit) {
    keep_alive_ = false;
    linger_ = true;
    Send(Error(414, "request line too long"));
    return;
  }
  const auto [path, query] =
      SplitTarget(std::string_view(request.target().data(), request.target().size()));
  // Only the probes, /metrics and the page's static files are open: every other answer may
  // carry customer ids (/alerts, its stream, /cases/events, /customers/{id}, the route hook's).
  const OutreachAsset* asset = FindOutreachAsset(path);
  const bool open =
      path == "/healthz" || path == "/readyz" || path == "/metrics" || asset != nullptr;
  if (!open && !Authorized()) {
    Response response = Error(401, "bearer token required");
    response.set(http::field::www_authenticate, "Bearer realm=\"cxpulse\"");
    Send(std::move(response));
    return;
  }
  if (request.method() != http::verb::get && !head_) {
    if (HandleRoute(path, query)) return;
    Response response = Error(405, "only GET and HEAD");
    response.set(http::field::allow, "GET, HEAD");
    Send(std::move(response));
    return;
  }

  if (path == "/healthz") {
    Send(MakeResponse(200, kText, "ok\n"));
  } else if (path == "/readyz") {
    bool ready = !core_.backend.ready || core_.backend.ready();
    Send(MakeResponse(ready ? 200 : 503, kText, ready ? "ready\n" : "not ready\n"));
  } else if (path == "/metrics" && core_.backend.metrics) {
    Send(MakeResponse(200, "text/plain; version=0.0.4; charset=utf-8", core_.backend.metrics()));
  } else if (HandleRoute(path, query)) {
    return;
  } else if (path == "/alerts" || path == "/alerts/stream") {
    auto accept = request[http::field::accept];
    HandleAlerts(query, path == "/alerts/stream" ||
                            AcceptsEventStream(std::string_view(accept.data(), accept.size())));
  } else if (path == "/cases/events" && core_.backend.case_events != nullptr) {
    HandleEventStream(*core_.backend.case_events);
  } else if (path.starts_with("/customers/")) {
    HandleCustomer(path.substr(std::string_view("/customers/").size()));
  } else if (asset != nullptr) {
    Response response = MakeResponse(200, asset->content_type, std::string(asset->body));
    response.set("Content-Security-Policy",
                 beast::string_view(kPagePolicy.data(), kPagePolicy.size()));
    response.set(http::field::cache_control, "no-cache");
    response.set("Referrer-Policy", "no-referrer");
    Send(std::move(response));
  } else {
    Send(Error(404, "not found"));
  }
}

bool HttpSession::Authorized() const {
  const std::string& token = core_.options.bearer_token;
  if (token.empty()) return true;
  auto authorization = parser_->get()[http::field::authorization];
  return BearerTokenMatches(std::string_view(authorization.data(), authorization.size()), token);
}

void HttpSession::HandleCustomer(std::string_view segment) {
  std::optional<std::string> id = DecodeCustomerId(segment);
  if (!id) {
    Send(Error(400, "customer id must be 1-128 printable characters (percent-encoded UTF-8)"));
    return;
  }
  if (!core_.backend.lookup_customer) {
    Send(Error(404, "not found"));
    return;
  }
  if (core_.backend.ready && !core_.backend.ready()) {
    Response response = Error(503, "not ready");
    response.set(http::field::retry_after, "1");
    Send(std::move(response));
    return;
  }
  const auto& request = parser_->get();
  CustomerQuery query;
  query.customer_id = std::move(*id);
  auto authorization = request[http::field::authorization];
  query.authorization.assign(authorization.data(), authorization.size());
  auto caller = request[beast::string_view(kCallerHeader.data(), kCallerHeader.size())];
  query.caller.assign(caller.data(), caller.size());
  query.forwarded = request.find(beast::string_view(kForwardedHeader.data(),
                                                    kForwardedHeader.size())) != request.end();
  spdlog::debug("http: customer lookup {}{}", query.customer_id,
                query.forwarded ? " (forwarded)" : "");
  awaiting_customer_ = true;
  timer_.expires_after(core_.options.lookup_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->OnCustomerReply(std::nullopt);
  });
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<HttpGate> gate = core_.gate;
  core_.backend.lookup_customer(std::move(query), [weak, gate](HttpReply reply) {
    gate->Post([weak, reply = std::move(reply)]() mutable {
      if (auto self = weak.lock()) self->OnCustomerReply(std::move(reply));
    });
  });
}

void HttpSession::OnCustomerReply(std::optional<HttpReply> reply) {
  if (!awaiting_customer_ || closed_) return;
  awaiting_customer_ = false;
  timer_.cancel();
  Response response;
  if (!reply) {
    response = Error(503, "customer lookup timed out");
    response.set(http::field::retry_after, "1");
  } else {
    response = MakeResponse(reply->status, kJson, std::move(reply->body));
    if (reply->status == 503) response.set(http::field::retry_after, "1");
  }
  response.set(http::field::cache_control, "no-store");
  Send(std::move(response));
}

bool HttpSession::HandleRoute(std::string_view path, std::string_view query) {
  if (!core_.backend.handle) return false;
  const auto& request = parser_->get();
  HttpRequest copy;
  copy.method = std::string(request.method_string());
  copy.path = path;
  copy.query = query;
  copy.body = request.body();
  auto authorization = request[http::field::authorization];
  copy.authorization.assign(authorization.data(), authorization.size());
  if (!core_.options.identity_header.empty()) {
    auto identity = request[core_.options.identity_header];
    copy.identity.assign(identity.data(), identity.size());
  }
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<HttpGate> gate = core_.gate;
  awaiting_route_ = true;
  bool handled = core_.backend.handle(copy, [weak, gate](HttpReply reply) {
    gate->Post([weak, reply = std::move(reply)]() mutable {
      if (auto self = weak.lock()) self->OnRouteReply(std::move(reply));
    });
  });
  if (!handled) {
    awaiting_route_ = false;
    return false;
  }
  timer_.expires_after(core_.options.lookup_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error) self->OnRouteReply(std::nullopt);
  });
  return true;
}

void HttpSession::OnRouteReply(std::optional<HttpReply> reply) {
  if (!awaiting_route_ || closed_) return;
  awaiting_route_ = false;
  timer_.cancel();
  Response response;
  if (!reply) {
    response = Error(503, "request timed out");
    response.set(http::field::retry_after, "1");
  } else {
    response = MakeResponse(reply->status, kJson, std::move(reply->body));
  }
  response.set(http::field::cache_control, "no-store");
  Send(std::move(response));
}

void HttpSession::HandleAlerts(std::string_view query, bool stream) {
  if (core_.backend.alerts == nullptr) {
    Send(Error(404, "not found"));
    return;
  }
  if (!stream || head_) {
    std::optional<size_t> limit = AlertsLimit(query);
    if (!limit) {
      Send(Error(400, "limit must be an integer 0-100000"));
      return;
    }
    Response response = MakeResponse(200, kJson, core_.backend.alerts->RecentJson(*limit));
    response.set(http::field::cache_control, "no-store");
    Send(std::move(response));
    return;
  }
  HandleEventStream(*core_.backend.alerts);
}

void HttpSession::HandleEventStream(AlertFeed& feed) {
  if (head_) {
    Send(MakeResponse(200, "text/event-stream", ""));
    return;
  }
  if (core_.sse_clients.load() >= core_.options.max_sse_clients) {
    Response response = Error(503, "too many event streams");
    response.set(http::field::retry_after, "5");
    Send(std::move(response));
    return;
  }
  StartEventStream(feed);
}

void HttpSession::Send(Response response) {
  if (head_) {
    auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
  }
  auto message = std::make_shared<Response>(std::move(response));
  bool close = message->need_eof();
  stream_.expires_after(core_.options.read_timeout);
  http::async_write(stream_, *message,
                    [self = shared_from_this(), message, close](beast::error_code error, size_t) {
                      if (!error && close && self->linger_) {
                        self->LingerClose();
                        return;
                      }
                      if (error || close) {
                        self->Close();
                        return;
                      }
                      self->DoRead();
                    });
}

void HttpSession::StartEventStream(AlertFeed& feed) {
  streaming_ = true;
  feed_ = &feed;
  ++core_.sse_clients;
  stream_.expires_never();
  Enqueue(std::make_shared<const std::string>(kSseHeader));
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<HttpGate> gate = core_.gate;
  subscription_ = feed.Subscribe([weak, gate](const AlertFeed::AlertJson& json) {
    gate->Post([weak, json] {
      if (auto self = weak.lock()) {
        self->Enqueue(std::make_shared<const std::string>(FormatSseEvent(*json)));
      }
    });
  });
  spdlog::debug("http: event stream opened ({} open)", core_.sse_clients.load());
  ScheduleHeartbeat();
  WatchForClose();
}

void HttpSession::Enqueue(std::shared_ptr<const std::string> chunk) {
  if (closed_) return;
  if (queue_.size() >= core_.options.max_sse_backlog) {
    spdlog::warn("http: event stream client too slow, disconnecting");
    Close();
    return;
  }
  queue_.push_back(std::move(chunk));
  if (!writing_) WriteNext();
}

void HttpSession::WriteNext() {
  if (queue_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(stream_, asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code error, size_t) {
                      self->queue_.pop_front();
                      if (error) {
                        self->Close();
                        return;
                      }
                      self->WriteNext();
                    });
}

void HttpSession::ScheduleHeartbeat() {
  timer_.expires_after(core_.options.sse_heartbeat);
  timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (error || self->closed_) return;
    self->Enqueue(kHeartbeat);
    self->ScheduleHeartbeat();
  });
}

void HttpSession::WatchForClose() {
  stream_.async_read_some(asio::buffer(&probe_byte_, 1),
                          [self = shared_from_this()](beast::error_code error, size_t) {
                            if (error) {
                              self->Close();
                              return;
                            }
                            self->WatchForClose();
                          });
}

// After an error reply the client may still be sending: read and drop that (for at most
// kLingerTimeout, evictable like a waiting session) before closing, so the reply is not lost
// to a connection reset.
void HttpSession::LingerClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);  // one deadline for all of the draining
  StartWaiting();
  Drain();
}

void HttpSession::Drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code error, size_t) {
                            if (error || self->closed_) {
                              self->Close();
                              return;
                            }
                            self->Drain();
                          });
}

void HttpSession::Close() {
  if (closed_) return;
  closed_ = true;
  StopWaiting();
  timer_.cancel();
  if (subscription_ != 0) {
    feed_->Unsubscribe(subscription_);
    subscription_ = 0;
  }
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace cx
