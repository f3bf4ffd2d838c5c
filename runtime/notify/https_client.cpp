#include "runtime/notify/https_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/version.hpp>

namespace cx {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kMaxResponseBody = 64 * 1024;

std::string StepError(std::string_view step, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return std::string(step) + ": timed out";
  return std::string(step) + ": " + ec.message();
}

http::request<http::string_body> MakeRequest(
    const HttpEndpoint& endpoint, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
  const bool default_port = endpoint.port == (endpoint.tls ? "443" : "80");
  request.set(http::field::host,
              default_port ? endpoint.host : endpoint.host + ":" + endpoint.port);
  request.set(http::field::user_agent, "cxpulse-notify");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  return request;
}

// Writes `request` and reads the response on an open stream.
template <typename Stream>
asio::awaitable<PostResult> Exchange(Stream& stream, http::request<http::string_body>& request) {
  PostResult result;
  boost::system::error_code write_ec;
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, write_ec));
  if (write_ec) {
    result.error = StepError("write", write_ec);
    co_return result;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  boost::system::error_code read_ec;
  co_await http::async_read(stream, buffer, parser,
                            asio::redirect_error(asio::use_awaitable, read_ec));
  if (read_ec && !parser.is_header_done()) {
    result.error = StepError("read", read_ec);
    co_return result;
  }
  result.status = parser.get().result_int();
  if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end()) {
    result.retry_after = std::string(it->value());
  }
  co_return result;
}

}  // namespace

bool ParseHttpEndpoint(std::string_view url, HttpEndpoint& out) {
  HttpEndpoint e;
  if (url.starts_with("https://")) {
    e.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return false;
  }
  const size_t path = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, path);
  std::string_view rest = path == std::string_view::npos ? "" : url.substr(path);
  if (const size_t fragment = rest.find('#'); fragment != std::string_view::npos) {
    rest = rest.substr(0, fragment);
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  std::string_view port;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    e.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (e.host.empty()) return false;
  if (port.empty()) {
    e.port = e.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    e.port = std::string(port);
  }
  e.target =
      rest.empty() ? "/" : (rest.front() == '?' ? "/" + std::string(rest) : std::string(rest));
  out = std::move(e);
  return true;
}

asio::awaitable<PostResult> PostJson(
    asio::ssl::context& tls, const HttpEndpoint& endpoint, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  PostResult result;
  tcp::resolver resolver(executor);
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(timeout);
  // The resolver has no timeout of its own: the stream's deadline cancels it.
  asio::steady_timer resolve_deadline(executor, timeout);
  resolve_deadline.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  boost::system::error_code resolve_ec;
  tcp::resolver::results_type results = co_await resolver.async_resolve(
      endpoint.host, endpoint.port, asio::redirect_error(asio::use_awaitable, resolve_ec));
  resolve_deadline.cancel();
  if (resolve_ec) {
    result.error = StepError("resolve", resolve_ec);
    co_return result;
  }
  boost::system::error_code connect_ec;
  co_await tcp_stream.async_connect(results, asio::redirect_error(asio::use_awaitable, connect_ec));
  if (connect_ec) {
    result.error = StepError("connect", connect_ec);
    co_return result;
  }
  http::request<http::string_body> request = MakeRequest(endpoint, body, headers);
  if (!endpoint.tls) {
    result = co_await Exchange(tcp_stream, request);
    boost::system::error_code ignored;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    result.error = "tls: cannot set the server name";
    co_return result;
  }
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
  boost::system::error_code handshake_ec;
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, handshake_ec));
  if (handshake_ec) {
    result.error = StepError("tls handshake", handshake_ec);
    co_return result;
  }
  result = co_await Exchange(stream, request);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  boost::system::error_code shutdown_ec;
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, shutdown_ec));
  co_return result;
}

}  // namespace cx
