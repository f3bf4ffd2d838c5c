#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "schemas/result.h"

namespace cx {

class AlertFeed;
struct HttpServerCore;

// A request handed to HttpBackend::handle: copies, valid after the session moved on.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // after '?', not decoded
  std::string body;
  std::string authorization;  // the Authorization header
  std::string identity;       // the header named by HttpServerOptions::identity_header
};

// A JSON answer to an HttpRequest.
struct HttpReply {
  unsigned status = 200;
  std::string body;
};

// {"error":"<message>"} with `status`: how every endpoint says no.
[[nodiscard]] HttpReply JsonErrorReply(unsigned status, std::string_view message);

// Sent by an instance that forwards /customers/{id} to the owner of the customer's partition:
// the owner answers from its own shards and never forwards again.
inline constexpr std::string_view kForwardedHeader = "X-Cxpulse-Forwarded";
// Whom the forwarding instance asks for (the rep on `cxpulse outreach`); logged at debug only.
inline constexpr std::string_view kCallerHeader = "X-Cxpulse-Caller";

// A /customers/{id} request handed to HttpBackend::lookup_customer, after the bearer-token
// check: copies, valid after the session moved on.
struct CustomerQuery {
  std::string customer_id;    // percent-decoded, 1-128 printable characters
  std::string authorization;  // the caller's Authorization header
  std::string caller;         // the kCallerHeader header
  bool forwarded = false;     // kForwardedHeader was present
};

// What the HTTP endpoints read. Every member may be called from the server's thread at any time
// while the server runs, so each must be thread-safe.
struct HttpBackend {
  // /readyz, and /customers/{id} answers 503 while false. Null = always ready.
  std::function<bool()> ready;
  // The Prometheus text for /metrics. Null = 404.
  std::function<std::string()> metrics;
  // Answers /customers/{id} (CustomerRouter: 200 with the state, 404 unknown customer, 503 with
  // a reason). `reply` may run on any thread, at most once; a lookup not answered within
  // HttpServerOptions::lookup_timeout gets a 503. Null = 404.
  std::function<void(CustomerQuery query, std::function<void(HttpReply)> reply)> lookup_customer;
  // Further routes (any method), asked after /healthz, /readyz, /metrics and the bearer-token
  // check (HttpServerOptions::bearer_token): returns false when
  // the path is not its own. `reply` may run on any thread, at most once; a request not
  // answered within HttpServerOptions::lookup_timeout gets a 503. Null = none.
  std::function<bool(const HttpRequest& request, std::function<void(HttpReply)> reply)> handle;
  // /alerts and its event stream. Null = 404. Must outlive the server.
  AlertFeed* alerts = nullptr;
  // /cases/events: a Server-Sent Events stream of what is published to this feed from then on
  // (`cxpulse outreach`'s case changes), counted with the /alerts streams against
  // max_sse_clients. Served after `handle`, which may refuse the request first (401). Null =
  // 404. Must outlive the server.
  AlertFeed* case_events = nullptr;
};

struct HttpServerOptions {
  // "host:port" ("0.0.0.0:9464", "127.0.0.1:0" for any free port, "[::1]:9464").
  std::string listen = "0.0.0.0:9464";
  // When non-empty, every request but /healthz, /readyz, /metrics and the page's static files
  // needs "Authorization: Bearer <token>" (else 401, before the route hook is asked): /alerts,
  // its stream, /cases/events, /customers/{id} and the hook's routes all carry customer ids.
  std::string bearer_token;
  std::chrono::milliseconds lookup_timeout{2000};
  // The request header copied into HttpRequest::identity (set by an authenticating proxy).
  std::string identity_header;
  // A comment line is sent on idle event streams this often, so proxies keep them open.
  std::chrono::milliseconds sse_heartbeat{15000};
  // Idle keep-alive connections are closed after this long without the next request.
  std::chrono::milliseconds read_timeout{30000};
  // A request (line, headers and its at most 8 KiB body) must arrive within this long once the
  // connection opens or, on keep-alive, once its first byte arrives; slower clients are closed.
  std::chrono::milliseconds header_timeout{5000};
  // Open event streams; further ones get a 503.
  size_t max_sse_clients = 64;
  // Open connections. At the limit a new connection closes the one that has waited longest for
  // its request (an idle keep-alive or a slow client), so probes are answered under any load of
  // slow clients; only when no connection is waiting for a request is the new one closed.
  size_t max_connections = 512;
  // Alerts queued for one slow event-stream client before it is disconnected.
  size_t max_sse_backlog = 1024;
};

// Ok when `listen` ("host:port", "[v6]:port", ":port") is an address HttpServer::Start() can
// try to bind (well-formed, port 0 to 65535, host resolvable); else the one-line reason, e.g.
// "http.listen: port 99999 is out of range (0 to 65535)". Start() applies the same check.
[[nodiscard]] Result<void> CheckListenAddress(const std::string& listen);

// The one HTTP listener (SPEC §6) on Boost.Beast: /healthz, /readyz, /metrics,
// /customers/{id}, /alerts (JSON, or Server-Sent Events with "Accept: text/event-stream" or at
// /alerts/stream), /cases/events (Server-Sent Events) and the outreach page at /. Runs its own
// thread between Start() and Stop(). With a bearer token, only the probes, /metrics and the
// page's static files answer without it. Customer ids are logged at debug level only. A request
// line over 8 KiB gets 414, headers over 16 KiB in all get 431.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpBackend backend);
  // Stops the server (and destroys it).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listen address and starts serving. The one-line reason when it cannot (bad
  // address, port in use). Call once.
  [[nodiscard]] Result<void> Start();
  // Closes the listener and every connection and joins the thread. Idempotent; thread-safe
  // against backend replies still in flight.
  void Stop();
  // The bound port (useful with port 0); 0 before Start().
  [[nodiscard]] uint16_t port() const { return port_; }

 private:
  std::unique_ptr<HttpServerCore> core_;
  std::thread thread_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace cx
