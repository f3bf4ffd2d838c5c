#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

namespace cx {

// Where an http(s) URL points.
struct HttpEndpoint {
  bool tls = false;
  std::string host;
  std::string port;    // "80" / "443" when the URL has none
  std::string target;  // path and query, "/" when empty
};

// Splits "http(s)://host[:port][/path][?query]" (IPv6 hosts in brackets). False for anything
// else. Pure.
[[nodiscard]] bool ParseHttpEndpoint(std::string_view url, HttpEndpoint& out);

// What one POST came to: an HTTP status (0 when no response arrived), its Retry-After header,
// and for status 0 a one-line error naming the step ("connect: Connection refused") but never
// the URL's path or the body.
struct PostResult {
  unsigned status = 0;
  std::string retry_after;
  std::string error;
};

// One HTTP/1.1 POST of `body` (Content-Type: application/json) with `headers`, over a new
// connection (TLS with SNI and certificate and host name verification against `tls` when
// endpoint.tls), closed afterwards. `timeout` bounds the whole exchange (resolve, connect,
// handshake, write, read). Runs on the calling coroutine's executor; never throws.
[[nodiscard]] boost::asio::awaitable<PostResult> PostJson(
    boost::asio::ssl::context& tls, const HttpEndpoint& endpoint, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout);

}  // namespace cx
