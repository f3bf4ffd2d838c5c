#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/http/http_server.h"

namespace cx {

// Internals of HttpServer (runtime/http_server.cpp), shared with its sessions.

// Lets other threads (the processor answering a lookup, the alert feed) hand work to the
// server's thread until the server stops; afterwards Post() drops the work.
class HttpGate {
 public:
  explicit HttpGate(boost::asio::io_context::executor_type executor)
      : executor_(std::move(executor)) {}
  template <typename Handler>
  bool Post(Handler&& handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return false;
    boost::asio::post(executor_, std::forward<Handler>(handler));
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
  }

 private:
  std::mutex mutex_;
  bool open_ = true;
  boost::asio::io_context::executor_type executor_;
};

class HttpSession;

// Owned by HttpServer; outlives every session (sessions die with `io`).
struct HttpServerCore {
  HttpServerOptions options;
  HttpBackend backend;
  std::unique_ptr<boost::asio::io_context> io;
  std::shared_ptr<HttpGate> gate;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> sse_clients{0};
  // Sessions waiting for (or reading) a request, longest waiting first. Server thread only.
  std::list<std::weak_ptr<HttpSession>> waiting;
};

// At the connection limit: closes the session that has waited longest for its request. False
// when no session is waiting. Server thread only.
bool EvictLongestWaiting(HttpServerCore& core);

// One HTTP/1.1 connection: keep-alive requests one at a time, or, after an event-stream
// request, a Server-Sent Events stream until either side closes. Runs on the server's thread.
class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  HttpSession(boost::asio::ip::tcp::socket socket, HttpServerCore& core);
  ~HttpSession();
  void Start();
  // Closes the connection now (EvictLongestWaiting).
  void Evict();

 private:
  void DoRead();
  void ReadRequest();
  void OnRead(boost::beast::error_code error);
  void StartWaiting();
  void StopWaiting();
  void Handle();
  // True when no bearer token is configured or the request carries it.
  [[nodiscard]] bool Authorized() const;
  void HandleCustomer(std::string_view segment);
  void OnCustomerReply(std::optional<HttpReply> reply);
  bool HandleRoute(std::string_view path, std::string_view query);
  void OnRouteReply(std::optional<HttpReply> reply);
  void HandleAlerts(std::string_view query, bool stream);
  void HandleEventStream(AlertFeed& feed);
  void Send(Response response);
  Response MakeResponse(unsigned status, std::string_view content_type, std::string body) const;
  Response Error(unsigned status, std::string_view message) const;

  void StartEventStream(AlertFeed& feed);
  void Enqueue(std::shared_ptr<const std::string> chunk);
  void WriteNext();
  void ScheduleHeartbeat();
  void WatchForClose();
  void LingerClose();
  void Drain();
  void Close();

  HttpServerCore& core_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer timer_;
  bool head_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  bool awaiting_customer_ = false;
  bool awaiting_route_ = false;
  bool streaming_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool first_request_ = true;
  bool linger_ = false;  // drain what the client still sends before closing (error replies)
  bool waiting_ = false;
  std::list<std::weak_ptr<HttpSession>>::iterator waiting_it_;
  AlertFeed* feed_ = nullptr;  // the feed of subscription_
  uint64_t subscription_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;
  char probe_byte_ = 0;
};

}  // namespace cx
