#include "runtime/http/http_server.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/http/http_alert_feed.h"
#include "tests/runtime/http/http_test_client.h"

namespace cx {
namespace {

using testing::Fetch;
using testing::RawConnection;
namespace http = boost::beast::http;

// A backend without a processor: customers from a map, answered from another thread.
class FakeBackend {
 public:
  FakeBackend() : feed(10) {}
  HttpBackend Make() {
    HttpBackend backend;
    backend.ready = [this] { return ready.load(); };
    backend.metrics = [] { return std::string("cxpulse_ready 1\n"); };
    backend.lookup_customer = [this](CustomerQuery query, std::function<void(HttpReply)> reply) {
      std::lock_guard<std::mutex> lock(mutex);
      looked_up.push_back(query.customer_id);
      queries.push_back(query);
      if (query.customer_id == "slow") return;  // never answered
      HttpReply answer = JsonErrorReply(404, "unknown customer");
      if (auto it = customers.find(query.customer_id); it != customers.end()) {
        answer = {200, it->second};
      }
      repliers.emplace_back([reply, answer] { reply(answer); });
    };
    backend.alerts = &feed;
    return backend;
  }
  ~FakeBackend() {
    for (auto& t : repliers) t.join();
  }

  std::atomic<bool> ready{true};
  std::map<std::string, std::string> customers{{"c 1", "{\"customer_id\":\"c 1\"}"}};
  std::mutex mutex;
  std::vector<std::string> looked_up;
  std::vector<CustomerQuery> queries;
  std::vector<std::thread> repliers;
  AlertFeed feed;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(std::string token = "") {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.bearer_token = std::move(token);
    options.lookup_timeout = std::chrono::milliseconds(300);
    options.sse_heartbeat = std::chrono::milliseconds(200);
    options.max_sse_clients = 2;
    server_.emplace(std::move(options), backend_.Make());
    Result<void> started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  FakeBackend backend_;
  std::optional<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, HealthReadyAndMetrics) {
  StartServer();
  auto health = Fetch(port_, "/healthz");
  EXPECT_EQ(health.status, 200U);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(Fetch(port_, "/readyz").status, 200U);
  backend_.ready = false;
  EXPECT_EQ(Fetch(port_, "/readyz").status, 503U);
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200U);
  auto metrics = Fetch(port_, "/metrics");
  EXPECT_EQ(metrics.status, 200U);
  EXPECT_EQ(metrics.body, "cxpulse_ready 1\n");
  EXPECT_EQ(metrics.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(HttpServerTest, CustomerLookup) {
  StartServer();
  auto found = Fetch(port_, "/customers/c%201");
  EXPECT_EQ(found.status, 200U);
  EXPECT_EQ(found.body, "{\"customer_id\":\"c 1\"}");
  EXPECT_EQ(found.headers["Content-Type"], "application/json");
  EXPECT_EQ(found.headers["Cache-Control"], "no-store");
  EXPECT_EQ(Fetch(port_, "/customers/nobody").status, 404U);
  EXPECT_EQ(Fetch(port_, "/customers/").status, 400U);
  EXPECT_EQ(Fetch(port_, "/customers/" + std::string(129, 'x')).status, 400U);
  EXPECT_EQ(Fetch(port_, "/customers/a%0Ab").status, 400U);
  EXPECT_EQ(Fetch(port_, "/customers/a/b").status, 400U);
  auto slow = Fetch(port_, "/customers/slow");
  EXPECT_EQ(slow.status, 503U);
  EXPECT_NE(slow.body.find("timed out"), std::string::npos);
  backend_.ready = false;
  EXPECT_EQ(Fetch(port_, "/customers/c%201").status, 503U);
  std::lock_guard<std::mutex> lock(backend_.mutex);
  EXPECT_EQ(backend_.looked_up, (std::vector<std::string>{"c 1", "nobody", "slow"}));
}

TEST_F(HttpServerTest, CustomerLookupSeesTheCallerAndTheForwardMark) {
  StartServer("t0ken");
  EXPECT_EQ(Fetch(port_, "/customers/c%201", {{"Authorization", "Bearer t0ken"}}).status, 200U);
  auto forwarded = Fetch(port_, "/customers/nobody",
                         {{"Authorization", "Bearer t0ken"},
                          {std::string(kForwardedHeader), "1"},
                          {std::string(kCallerHeader), "ana"}});
  EXPECT_EQ(forwarded.status, 404U);
  EXPECT_EQ(forwarded.body, "{\"error\":\"unknown customer\"}");
  std::lock_guard<std::mutex> lock(backend_.mutex);
  ASSERT_EQ(backend_.queries.size(), 2U);
  EXPECT_EQ(backend_.queries[0].authorization, "Bearer t0ken");
  EXPECT_FALSE(backend_.queries[0].forwarded);
  EXPECT_EQ(backend_.queries[0].caller, "");
  EXPECT_TRUE(backend_.queries[1].forwarded);
  EXPECT_EQ(backend_.queries[1].caller, "ana");
}

TEST_F(HttpServerTest, BearerTokenGuardsCustomers) {
  StartServer("t0ken");
  auto missing = Fetch(port_, "/customers/c%201");
  EXPECT_EQ(missing.status, 401U);
  EXPECT_EQ(missing.headers["WWW-Authenticate"], "Bearer realm=\"cxpulse\"");
  EXPECT_EQ(Fetch(port_, "/customers/c%201", {{"Authorization", "Bearer wrong"}}).status, 401U);
  EXPECT_EQ(Fetch(port_, "/customers/c%201", {{"Authorization", "Bearer t0ken"}}).status, 200U);
  // Authorisation is checked before anything about the id is revealed.
  EXPECT_EQ(Fetch(port_, "/customers/").status, 401U);
}

// /alerts, its stream and /cases/events carry customer ids: the same token as /customers/{id}.
// The probes, /metrics and the page's static files stay open (kubelet, Prometheus, sign-in).
TEST_F(HttpServerTest, BearerTokenGuardsEveryDataEndpointButNotProbesOrThePage) {
  StartServer("t0ken");
  backend_.feed.Publish("{\"alert_id\":\"a1\",\"customer_id\":\"c 1\"}");
  const std::map<std::string, std::string> good{{"Authorization", "Bearer t0ken"}};
  const std::map<std::string, std::string> bad{{"Authorization", "Bearer t0ke"}};
  for (const std::string path : {"/alerts", "/alerts?limit=1", "/alerts/stream", "/cases/events",
                                 "/customers/c%201", "/nothing-here"}) {
    for (const auto& headers : {std::map<std::string, std::string>{}, bad}) {
      auto refused = Fetch(port_, path, headers);
      EXPECT_EQ(refused.status, 401U) << path;
      EXPECT_EQ(refused.headers["WWW-Authenticate"], "Bearer realm=\"cxpulse\"") << path;
      EXPECT_EQ(refused.body.find("c 1"), std::string::npos) << path;
      EXPECT_EQ(Fetch(port_, path, headers, http::verb::head).status, 401U) << path;
    }
  }
  RawConnection by_accept(port_,
                          "GET /alerts HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
  EXPECT_EQ(by_accept.ReadUntil("\r\n").rfind("HTTP/1.1 401", 0), 0U);
  EXPECT_EQ(backend_.feed.subscribers(), 0U);
  {
    std::lock_guard<std::mutex> lock(backend_.mutex);
    EXPECT_TRUE(backend_.looked_up.empty());
  }

  auto alerts = Fetch(port_, "/alerts", good);
  EXPECT_EQ(alerts.status, 200U);
  EXPECT_EQ(alerts.body, "[{\"alert_id\":\"a1\",\"customer_id\":\"c 1\"}]");
  EXPECT_EQ(Fetch(port_, "/customers/c%201", good).status, 200U);
  EXPECT_EQ(Fetch(port_, "/cases/events", good).status, 404U);  // no case feed in the fixture
  RawConnection stream(port_,
                       "GET /alerts/stream HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer t0ken\r\n\r\n");
  EXPECT_EQ(stream.ReadUntil("\r\n\r\n").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_EQ(stream.ReadUntil("\n\n"), "retry: 2000\n\n");

  for (const std::string path :
       {"/healthz", "/readyz", "/metrics", "/", "/index.html", "/app.js", "/style.css"}) {
    EXPECT_EQ(Fetch(port_, path).status, 200U) << path;
  }
}

TEST_F(HttpServerTest, RecentAlertsAsJson) {
  StartServer();
  EXPECT_EQ(Fetch(port_, "/alerts").body, "[]");
  backend_.feed.Publish("{\"alert_id\":\"a1\"}");
  backend_.feed.Publish("{\"alert_id\":\"a2\"}");
  auto alerts = Fetch(port_, "/alerts");
  EXPECT_EQ(alerts.status, 200U);
  EXPECT_EQ(alerts.body, "[{\"alert_id\":\"a2\"},{\"alert_id\":\"a1\"}]");
  EXPECT_EQ(Fetch(port_, "/alerts?limit=1").body, "[{\"alert_id\":\"a2\"}]");
  EXPECT_EQ(Fetch(port_, "/alerts?limit=x").status, 400U);
}

TEST_F(HttpServerTest, EventStreamFraming) {
  StartServer();
  backend_.feed.Publish("{\"alert_id\":\"old\"}");
  RawConnection stream(port_,
                       "GET /alerts HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
  std::string header = stream.ReadUntil("\r\n\r\n");
  EXPECT_EQ(header.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << header;
  EXPECT_NE(header.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_EQ(stream.ReadUntil("\n\n"), "retry: 2000\n\n");
  for (int i = 0; i < 100 && backend_.feed.subscribers() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  backend_.feed.Publish("{\"alert_id\":\"new\"}");
  std::string event = stream.ReadUntil("\n\n");
  while (event.rfind(": heartbeat", 0) == 0) event = stream.ReadUntil("\n\n");
  EXPECT_EQ(event, "data: {\"alert_id\":\"new\"}\n\n");
  // Idle streams get comment heartbeats.
  EXPECT_EQ(stream.ReadUntil("\n\n"), ": heartbeat\n\n");
}

TEST_F(HttpServerTest, EventStreamClientsAreBoundedAndReleased) {
  StartServer();
  const std::string request = "GET /alerts/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  {
    RawConnection a(port_, request);
    RawConnection b(port_, request);
    a.ReadUntil("retry: 2000\n\n");
    b.ReadUntil("retry: 2000\n\n");
    EXPECT_EQ(Fetch(port_, "/alerts/stream").status, 503U);
  }
  for (int i = 0; i < 200 && backend_.feed.subscribers() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(backend_.feed.subscribers(), 0U);
  RawConnection c(port_, request);
  EXPECT_NE(c.ReadUntil("\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, OutreachPageIsEmbedded) {
  StartServer();
  auto page = Fetch(port_, "/");
  EXPECT_EQ(page.status, 200U);
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_NE(page.headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  auto script = Fetch(port_, "/app.js");
  EXPECT_EQ(script.status, 200U);
  EXPECT_EQ(script.headers["Content-Type"], "text/javascript; charset=utf-8");
  EXPECT_NE(script.body.find("import { renderPanel } from \"/panel.js\""), std::string::npos);
  EXPECT_EQ(Fetch(port_, "/panel.js").status, 200U);
  EXPECT_NE(Fetch(port_, "/words.js").body.find("Call the customer back"), std::string::npos);
  EXPECT_EQ(Fetch(port_, "/style.css").status, 200U);
  EXPECT_EQ(Fetch(port_, "/index.html").body, page.body);
  EXPECT_EQ(Fetch(port_, "/nothing-here").status, 404U);
}

TEST_F(HttpServerTest, MethodsKeepAliveAndMalformedRequests) {
  StartServer();
  EXPECT_EQ(Fetch(port_, "/healthz", {}, http::verb::post).status, 405U);
  auto head = Fetch(port_, "/healthz", {}, http::verb::head);
  EXPECT_EQ(head.status, 200U);
  EXPECT_EQ(head.headers["Content-Length"], "3");
  EXPECT_TRUE(head.body.empty());

  RawConnection keep_alive(port_,
                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(keep_alive.ReadUntil("ok\n").find("200 OK"), std::string::npos);
  EXPECT_NE(keep_alive.ReadUntil("ready\n").find("200 OK"), std::string::npos);

  RawConnection garbage(port_, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.ReadUntil("\r\n").find("400"), std::string::npos);
}

TEST(HttpServerRoutes, HandleServesAnyMethodAnsweredFromAnotherThread) {
  std::mutex mutex;
  std::vector<HttpRequest> seen;
  std::vector<std::thread> repliers;
  HttpBackend backend;
  backend.handle = [&](const HttpRequest& request, std::function<void(HttpReply)> reply) {
    if (!request.path.starts_with("/cases")) return false;
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(request);
    if (request.path == "/cases/slow") return true;  // never answered
    repliers.emplace_back([reply] { reply({409, "{\"owner\":\"ana\"}"}); });
    return true;
  };
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.identity_header = "X-Forwarded-User";
  options.lookup_timeout = std::chrono::milliseconds(300);
  HttpServer server(options, backend);
  Result<void> started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message();
  auto answered =
      Fetch(server.port(), "/cases/c1/claim?x=1",
            {{"Authorization", "Bearer t"}, {"X-Forwarded-User", "ben"}}, http::verb::post);
  EXPECT_EQ(answered.status, 409U);
  EXPECT_EQ(answered.body, "{\"owner\":\"ana\"}");
  EXPECT_EQ(answered.headers["Content-Type"], "application/json");
  EXPECT_EQ(Fetch(server.port(), "/cases/slow").status, 503U);
  EXPECT_EQ(Fetch(server.port(), "/healthz", {}, http::verb::post).status, 405U);
  EXPECT_EQ(Fetch(server.port(), "/healthz").status, 200U);
  // The server's request limits come first: an overlong request line (414) and a body over
  // 8 KiB (400) never reach the route.
  EXPECT_EQ(
      Fetch(server.port(), "/cases?" + std::string(10 * 1024, 'a'), {}, http::verb::post).status,
      414U);
  RawConnection big_body(server.port(),
                         "POST /cases/c1/claim HTTP/1.1\r\nHost: x\r\n"
                         "Content-Length: 9000\r\n\r\n" +
                             std::string(9000, 'b'));
  EXPECT_NE(big_body.ReadUntil("\r\n").find("400"), std::string::npos);
  server.Stop();
  for (auto& t : repliers) t.join();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/cases/c1/claim");
  EXPECT_EQ(seen[0].query, "x=1");
  EXPECT_EQ(seen[0].authorization, "Bearer t");
  EXPECT_EQ(seen[0].identity, "ben");
}

TEST(HttpServerRoutes, CaseEventsStreamAfterTheRouteHookLetsItThrough) {
  AlertFeed case_events(1);
  HttpBackend backend;
  // The hook refuses requests without an identity (401) and lets the rest through.
  backend.handle = [](const HttpRequest& request, std::function<void(HttpReply)> reply) {
    if (request.path != "/cases/events" || !request.identity.empty()) return false;
    reply({401, "{\"error\":\"no rep identity\"}"});
    return true;
  };
  backend.case_events = &case_events;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.identity_header = "X-Forwarded-User";
  options.max_sse_clients = 1;
  HttpServer server(options, backend);
  Result<void> started = server.Start();
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(Fetch(server.port(), "/cases/events").status, 401U);
  EXPECT_EQ(Fetch(server.port(), "/alerts").status, 404U);  // no alert feed here
  RawConnection stream(server.port(),
                       "GET /cases/events HTTP/1.1\r\nHost: x\r\nX-Forwarded-User: ana\r\n\r\n");
  std::string header = stream.ReadUntil("\r\n\r\n");
  EXPECT_EQ(header.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << header;
  EXPECT_NE(header.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_EQ(stream.ReadUntil("\n\n"), "retry: 2000\n\n");
  for (int i = 0; i < 100 && case_events.subscribers() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  case_events.Publish("{\"case_id\":\"k1\"}");
  std::string event = stream.ReadUntil("\n\n");
  while (event.rfind(": heartbeat", 0) == 0) event = stream.ReadUntil("\n\n");
  EXPECT_EQ(event, "data: {\"case_id\":\"k1\"}\n\n");
  // Counted with the other streams against max_sse_clients.
  EXPECT_EQ(Fetch(server.port(), "/cases/events", {{"X-Forwarded-User", "ben"}}).status, 503U);
  server.Stop();
  EXPECT_EQ(case_events.subscribers(), 0U);
}

// With a bearer token the route hook is not even asked without it; with it, the hook decides
// and /cases/events streams.
TEST(HttpServerRoutes, BearerTokenComesBeforeTheRouteHook) {
  AlertFeed case_events(1);
  std::atomic<int> asked{0};
  HttpBackend backend;
  backend.handle = [&asked](const HttpRequest&, const std::function<void(HttpReply)>&) {
    ++asked;
    return false;
  };
  backend.case_events = &case_events;
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.bearer_token = "t0ken";
  HttpServer server(options, backend);
  Result<void> started = server.Start();
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_EQ(Fetch(server.port(), "/cases/events").status, 401U);
  EXPECT_EQ(Fetch(server.port(), "/cases", {}, http::verb::post).status, 401U);
  EXPECT_EQ(asked.load(), 0);
  EXPECT_EQ(Fetch(server.port(), "/healthz").status, 200U);
  EXPECT_EQ(asked.load(), 0);  // the probes come before the hook too
  RawConnection stream(server.port(),
                       "GET /cases/events HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer t0ken\r\n\r\n");
  EXPECT_EQ(stream.ReadUntil("\r\n\r\n").rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_EQ(stream.ReadUntil("\n\n"), "retry: 2000\n\n");
  EXPECT_EQ(asked.load(), 1);
  server.Stop();
}

TEST_F(HttpServerTest, StopClosesOpenStreamsAndRejectsBadListen) {
  StartServer();
  RawConnection stream(port_, "GET /alerts/stream HTTP/1.1\r\nHost: x\r\n\r\n");
  stream.ReadUntil("retry: 2000\n\n");
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(backend_.feed.subscribers(), 0U);
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) stream.ReadUntil("\n\n");
      },
      boost::system::system_error);

  HttpServerOptions options;
  options.listen = "no-port";
  HttpServer bad(options, HttpBackend{});
  Result<void> malformed = bad.Start();
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.error().message().find("http.listen"), std::string::npos);
  HttpServerOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(port_);
  HttpServer first(taken, HttpBackend{});
  Result<void> bound = first.Start();
  ASSERT_TRUE(bound.ok()) << bound.error().message();
  HttpServer second(taken, HttpBackend{});
  Result<void> in_use = second.Start();
  ASSERT_FALSE(in_use.ok());
  EXPECT_NE(in_use.error().message().find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace cx
