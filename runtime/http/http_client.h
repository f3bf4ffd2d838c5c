#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cx {

struct HttpClientCore;

// The answer to one HttpClient::Get.
struct HttpClientResult {
  unsigned status = 0;  // 0 when nothing answered (see `error`)
  std::string body;
  std::string error;  // one line when status is 0: "connection refused", "timed out", ...
};

// A small plain-HTTP client for calls between cxpulse instances (a /customers/{id} lookup
// forwarded to the processor that owns the customer): one GET per connection on Boost.Beast,
// with a deadline covering resolve, connect, write and read. Not for the outside world (no TLS,
// no redirects, no keep-alive). Runs its own Asio thread between construction and destruction;
// thread-safe.
class HttpClient {
 public:
  // Bodies longer than this are refused (the answer is an error).
  static constexpr size_t kMaxBody = 1 << 20;

  HttpClient();
  // Cancels what is in flight (each gets "stopped") and joins the thread.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends "GET `target`" to `address` ("host:port", "[v6]:port") with `headers`, and calls
  // `done` exactly once, on the client's thread, within about `timeout`. `done` must not block.
  void Get(std::string address, std::string target,
           std::vector<std::pair<std::string, std::string>> headers,
           std::chrono::milliseconds timeout, std::function<void(HttpClientResult)> done);

 private:
  std::shared_ptr<HttpClientCore> core_;
  std::thread thread_;
};

}  // namespace cx
