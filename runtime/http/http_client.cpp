#include "runtime/http/http_client.h"

#include <memory>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "runtime/shard/thread_name.h"

namespace cx {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class HttpExchange;

struct HttpClientCore {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  // The io thread only: exchanges not finished yet.
  std::unordered_set<std::shared_ptr<HttpExchange>> in_flight;
};

// One GET: resolve, connect, write, read, under one deadline. Lives on the client's io thread.
class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
 public:
  HttpExchange(HttpClientCore& core, std::string address, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers,
               std::chrono::milliseconds timeout, std::function<void(HttpClientResult)> done)
      : core_(core),
        resolver_(core.io),
        stream_(core.io),
        timer_(core.io),
        address_(std::move(address)),
        timeout_(timeout),
        done_(std::move(done)) {
    request_.version(11);
    request_.method(http::verb::get);
    request_.target(target);
    request_.set(http::field::user_agent, "cxpulse");
    request_.set(http::field::connection, "close");
    for (const auto& [name, value] : headers) request_.set(name, value);
    parser_.body_limit(HttpClient::kMaxBody);
  }

  void Start() {
    std::string host;
    std::string port;
    if (!SplitAddress(address_, host, port)) {
      Finish({.status = 0, .body = {}, .error = "bad address '" + address_ + "'"});
      return;
    }
    request_.set(http::field::host, address_);
    auto self = shared_from_this();
    timer_.expires_after(timeout_);
    timer_.async_wait([self](beast::error_code error) {
      if (!error) {
        self->Finish({.status = 0,
                      .body = {},
                      .error = fmt::format("no answer within {} ms", self->timeout_.count())});
      }
    });
    resolver_.async_resolve(
        host, port, [self](beast::error_code error, const tcp::resolver::results_type& endpoints) {
          if (error) return self->Fail("cannot resolve it", error);
          self->stream_.async_connect(endpoints,
                                      [self](beast::error_code error, const tcp::endpoint&) {
                                        if (error) return self->Fail("cannot connect", error);
                                        self->Write();
                                      });
        });
  }

  // Ends the exchange with "stopped" (the client is going away).
  void Stop() { Finish({.status = 0, .body = {}, .error = "stopped"}); }

 private:
  static bool SplitAddress(const std::string& address, std::string& host, std::string& port) {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    return port.find_first_not_of("0123456789") == std::string::npos;
  }

  void Write() {
    auto self = shared_from_this();
    http::async_write(stream_, request_, [self](beast::error_code error, size_t) {
      if (error) return self->Fail("cannot send the request", error);
      http::async_read(self->stream_, self->buffer_, self->parser_,
                       [self](beast::error_code error, size_t) {
                         if (error) return self->Fail("cannot read the answer", error);
                         HttpClientResult result;
                         result.status = self->parser_.get().result_int();
                         result.body = std::move(self->parser_.get().body());
                         self->Finish(std::move(result));
                       });
    });
  }

  void Fail(std::string_view what, const beast::error_code& error) {
    if (finished_) return;  // the deadline (or Stop) closed the socket: already answered
    Finish({.status = 0, .body = {}, .error = std::string(what) + ": " + error.message()});
  }

  void Finish(HttpClientResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    auto done = std::move(done_);
    core_.in_flight.erase(shared_from_this());
    done(std::move(result));
  }

  HttpClientCore& core_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  std::string address_;
  std::chrono::milliseconds timeout_;
  std::function<void(HttpClientResult)> done_;
  http::request<http::empty_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  bool finished_ = false;
};

HttpClient::HttpClient() : core_(std::make_shared<HttpClientCore>()) {
  thread_ = std::thread([core = core_] {
    NameThisThread("cx-http-client");
    try {
      core->io.run();
    } catch (const std::exception& e) {
      spdlog::error("http client: thread stopped: {}", e.what());
    }
  });
}

HttpClient::~HttpClient() {
  asio::post(core_->io, [core = core_] {
    auto in_flight = core->in_flight;
    for (const auto& exchange : in_flight) exchange->Stop();
    core->work.reset();
  });
  if (thread_.joinable()) thread_.join();
}

void HttpClient::Get(std::string address, std::string target,
                     std::vector<std::pair<std::string, std::string>> headers,
                     std::chrono::milliseconds timeout,
                     std::function<void(HttpClientResult)> done) {
  asio::post(core_->io, [core = core_, address = std::move(address), target = std::move(target),
                         headers = std::move(headers), timeout, done = std::move(done)]() mutable {
    auto exchange = std::make_shared<HttpExchange>(*core, std::move(address), std::move(target),
                                                   std::move(headers), timeout, std::move(done));
    core->in_flight.insert(exchange);
    exchange->Start();
  });
}

}  // namespace cx
