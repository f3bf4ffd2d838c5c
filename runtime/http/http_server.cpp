#include "runtime/http/http_server.h"

#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

#include "runtime/http/http_session.h"
#include "runtime/shard/thread_name.h"
#include "schemas/json_writer.h"

namespace cx {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Splits "host:port" / "[v6]:port" and resolves it for a passive (listening) socket. The error
// "http.listen: ..." when malformed, out of range or unresolvable.
Result<tcp::endpoint> ResolveListen(asio::io_context& io, const std::string& listen) {
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? std::string() : listen.substr(0, colon);
  std::string port = colon == std::string::npos ? std::string() : listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Err("http.listen: expected host:port such as 0.0.0.0:9464, got '" + listen + "'");
  }
  if (port.size() > 5 || std::stoul(port) > 65535) {
    return Err("http.listen: port " + port + " is out of range (0 to 65535)");
  }
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return Err("http.listen: cannot resolve '" + listen + "': " + ec.message());
  }
  return endpoints.begin()->endpoint();
}

void Accept(HttpServerCore& core) {
  core.acceptor->async_accept([&core](boost::system::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !core.acceptor->is_open()) return;
    if (!error) {
      if (core.connections.load() >= core.options.max_connections && !EvictLongestWaiting(core)) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<HttpSession>(std::move(socket), core)->Start();
      }
    }
    Accept(core);
  });
}

}  // namespace

HttpReply JsonErrorReply(unsigned status, std::string_view message) {
  HttpReply reply{status, "{\"error\":"};
  AppendJsonString(message, reply.body);
  reply.body += '}';
  return reply;
}

Result<void> CheckListenAddress(const std::string& listen) {
  asio::io_context io(1);
  Result<tcp::endpoint> endpoint = ResolveListen(io, listen);
  if (!endpoint) {
    return endpoint.error();
  }
  return Ok();
}

HttpServer::HttpServer(HttpServerOptions options, HttpBackend backend)
    : core_(std::make_unique<HttpServerCore>()) {
  core_->options = std::move(options);
  core_->backend = std::move(backend);
  core_->io = std::make_unique<asio::io_context>(1);
  core_->gate = std::make_shared<HttpGate>(core_->io->get_executor());
}

HttpServer::~HttpServer() { Stop(); }

Result<void> HttpServer::Start() {
  const std::string& listen = core_->options.listen;
  Result<tcp::endpoint> resolved = ResolveListen(*core_->io, listen);
  if (!resolved) {
    return resolved.error();
  }
  const tcp::endpoint endpoint = *resolved;
  boost::system::error_code ec;
  auto& acceptor = core_->acceptor.emplace(*core_->io);
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) ||
      acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    core_->acceptor.reset();
    return Err("http: cannot listen on " + listen + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint().port();
  Accept(*core_);
  started_ = true;
  thread_ = std::thread([io = core_->io.get()] {
    NameThisThread("cx-http");
    try {
      io->run();
    } catch (const std::exception& e) {
      spdlog::error("http: server thread stopped: {}", e.what());
    }
  });
  spdlog::info("http: listening on {}:{}", endpoint.address().to_string(), port_);
  return Ok();
}

void HttpServer::Stop() {
  if (!core_ || !core_->io) return;
  core_->gate->Close();
  core_->io->stop();
  if (thread_.joinable()) thread_.join();
  core_->acceptor.reset();
  core_->io.reset();
  if (started_) spdlog::info("http: stopped");
  started_ = false;
}

}  // namespace cx
