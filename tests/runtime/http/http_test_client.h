#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace cx::testing {

// A blocking HTTP/1.1 client for the server tests. Reads give up after 5 s.
struct TestResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

inline void SetReceiveTimeout(boost::asio::ip::tcp::socket& socket, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

inline boost::asio::ip::tcp::socket Connect(boost::asio::io_context& io, uint16_t port) {
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  SetReceiveTimeout(socket, 5);
  return socket;
}

inline TestResponse Fetch(uint16_t port, const std::string& target,
                          std::map<std::string, std::string> headers = {},
                          boost::beast::http::verb method = boost::beast::http::verb::get) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  auto socket = Connect(io, port);
  http::request<http::empty_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  TestResponse out;
  const auto& response = parser.get();
  out.status = response.result_int();
  for (const auto& field : response) {
    out.headers[std::string(field.name_string())] = std::string(field.value());
  }
  out.body = response.body();
  return out;
}

// An open event-stream connection: the raw bytes, read up to a delimiter.
class RawConnection {
 public:
  RawConnection(uint16_t port, const std::string& request) : socket_(Connect(io_, port)) {
    boost::asio::write(socket_, boost::asio::buffer(request));
  }
  // Reads up to and including `delimiter`; throws on timeout or close.
  std::string ReadUntil(const std::string& delimiter) {
    size_t n = boost::asio::read_until(socket_, buffer_, delimiter);
    std::string out(boost::asio::buffers_begin(buffer_.data()),
                    boost::asio::buffers_begin(buffer_.data()) + static_cast<std::ptrdiff_t>(n));
    buffer_.consume(n);
    return out;
  }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::streambuf buffer_;
};

}  // namespace cx::testing
