#include "runtime/http/customer_router.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "runtime/http/http_client.h"
#include "runtime/http/http_request_checks.h"
#include "runtime/http/http_server.h"

namespace cx {
namespace {

TEST(LocalReplyTest, FoundIs200NotFoundIs404NotOwnedIsForwarded) {
  std::optional<HttpReply> found = LocalReply({LocalCustomer::kFound, "{\"a\":1}"});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200U);
  EXPECT_EQ(found->body, "{\"a\":1}");
  std::optional<HttpReply> missing = LocalReply({LocalCustomer::kNotFound, ""});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404U);
  EXPECT_EQ(missing->body, "{\"error\":\"unknown customer\"}");
  EXPECT_FALSE(LocalReply({LocalCustomer::kNotOwned, ""}));
}

TEST(AdvertisedAddressTest, DerivedFromListenHostnameAndPort) {
  EXPECT_EQ(AdvertisedAddress("", "0.0.0.0:9464", "cxpulse-0", 9464), "cxpulse-0:9464");
  EXPECT_EQ(AdvertisedAddress("", ":9464", "cxpulse-0", 9464), "cxpulse-0:9464");
  EXPECT_EQ(AdvertisedAddress("", "[::]:9464", "cxpulse-0", 9464), "cxpulse-0:9464");
  EXPECT_EQ(AdvertisedAddress("", "127.0.0.1:0", "h", 40123), "127.0.0.1:40123");
  EXPECT_EQ(AdvertisedAddress("", "[::1]:9464", "h", 9464), "[::1]:9464");
  EXPECT_EQ(AdvertisedAddress("10.1.2.3:9464", "0.0.0.0:9464", "h", 9464), "10.1.2.3:9464");
}

TEST(AdvertisedAddressTest, CheckNamesTheKey) {
  EXPECT_TRUE(CheckAdvertisedAddress("10.1.2.3:9464").ok());
  EXPECT_TRUE(CheckAdvertisedAddress("cxpulse-0.cxpulse-headless:9464").ok());
  EXPECT_TRUE(CheckAdvertisedAddress("[fd00::7]:9464").ok());
  for (const char* bad : {"", "host", ":9464", "host:", "host:0", "host:65536", "host:http",
                          "ho st:1", "a@b:1", "[zz]:1", "h[1]:2"}) {
    Result<void> checked = CheckAdvertisedAddress(bad);
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_TRUE(checked.error().message().starts_with("http.advertised_address: "))
        << bad << " -> " << checked.error().message();
  }
}

TEST(EncodePathSegmentTest, RoundTripsThroughDecodeCustomerId) {
  for (std::string id : {"c-42", "c 1", "a/b?c#d%e", "kund\xc3\xa4", "~._-"}) {
    std::string encoded = EncodePathSegment(id);
    EXPECT_EQ(encoded.find_first_of("/?# "), std::string::npos) << encoded;
    EXPECT_EQ(DecodeCustomerId(encoded), id);
  }
  EXPECT_EQ(EncodePathSegment("c 1/2"), "c%201%2F2");
}

// A processor that owns some customers: an HttpServer whose lookups answer from a map and
// record what they were asked.
class Owner {
 public:
  explicit Owner(std::string token = "") {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.bearer_token = std::move(token);
    options.lookup_timeout = std::chrono::milliseconds(3000);
    HttpBackend backend;
    backend.lookup_customer = [this](CustomerQuery query, std::function<void(HttpReply)> reply) {
      std::lock_guard<std::mutex> lock(mutex_);
      queries_.push_back(query);
      if (query.customer_id == "silent") return;  // never answers
      if (query.customer_id == "busy") {
        reply(JsonErrorReply(503, "not ready"));
      } else if (query.customer_id == "c 1") {
        reply({200, "{\"customer_id\":\"c 1\",\"tier\":\"vip\"}"});
      } else {
        reply(JsonErrorReply(404, "unknown customer"));
      }
    };
    server_.emplace(std::move(options), std::move(backend));
    Result<void> started = server_->Start();
    EXPECT_TRUE(started) << started.error().message();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<CustomerQuery> queries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return queries_;
  }

 private:
  std::mutex mutex_;
  std::vector<CustomerQuery> queries_;
  std::optional<HttpServer> server_;
};

// A port nothing listens on (bound, then closed).
uint16_t DeadPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(0)});
  return acceptor.local_endpoint().port();
}

class CustomerRouterTest : public ::testing::Test {
 protected:
  // A router whose local processor answers `local` and whose group names `owner`.
  void Make(std::optional<LocalCustomer> local, OwnerAddress owner, std::string token = "") {
    CustomerRouterOptions options;
    options.self_address = "self:1";
    options.bearer_token = std::move(token);
    options.forward_timeout = std::chrono::milliseconds(300);
    CustomerRouter::LocalLookup lookup;
    if (local) {
      lookup = [kind = *local](std::string id, std::function<void(LocalAnswer)> done) {
        done({kind, kind == LocalCustomer::kFound ? "{\"local\":\"" + id + "\"}" : ""});
      };
    }
    router_.emplace(
        std::move(options), std::move(lookup),
        [this, owner](std::string, std::function<void(OwnerAddress)> done) {
          ++owner_lookups_;
          done(owner);
        },
        [this] { ++forgotten_; }, client_);
  }

  HttpReply Ask(CustomerQuery query) {
    std::promise<HttpReply> answered;
    router_->Lookup(std::move(query), [&answered](HttpReply reply) { answered.set_value(reply); });
    std::future<HttpReply> future = answered.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return future.get();
  }

  static CustomerQuery Query(std::string id, bool forwarded = false) {
    CustomerQuery query;
    query.customer_id = std::move(id);
    query.authorization = "Bearer caller-token";
    query.forwarded = forwarded;
    return query;
  }

  HttpClient client_;
  std::optional<CustomerRouter> router_;
  std::atomic<int> owner_lookups_{0};
  std::atomic<int> forgotten_{0};
};

TEST_F(CustomerRouterTest, LocalAnswersNeedNoOwner) {
  Make(LocalCustomer::kFound, {"", "unused"});
  HttpReply found = Ask(Query("c-1"));
  EXPECT_EQ(found.status, 200U);
  EXPECT_EQ(found.body, "{\"local\":\"c-1\"}");
  Make(LocalCustomer::kNotFound, {"", "unused"});
  EXPECT_EQ(Ask(Query("c-1")).status, 404U);
  EXPECT_EQ(owner_lookups_.load(), 0);
}

TEST_F(CustomerRouterTest, ForwardsToTheOwnerWithTheCallersIdentity) {
  Owner owner;
  Make(LocalCustomer::kNotOwned, {owner.address(), ""});
  CustomerQuery query = Query("c 1");
  query.caller = "ana";
  HttpReply reply = Ask(query);
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "{\"customer_id\":\"c 1\",\"tier\":\"vip\"}");
  EXPECT_EQ(Ask(Query("nobody")).status, 404U);
  std::vector<CustomerQuery> seen = owner.queries();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].customer_id, "c 1");
  EXPECT_TRUE(seen[0].forwarded);
  EXPECT_EQ(seen[0].authorization, "Bearer caller-token");
  EXPECT_EQ(seen[0].caller, "ana");
  EXPECT_EQ(forgotten_.load(), 0);
}

TEST_F(CustomerRouterTest, SendsItsOwnTokenWhenItHasOne) {
  Owner owner("shared");
  Make(std::nullopt, {owner.address(), ""}, "shared");
  EXPECT_EQ(Ask(Query("c 1")).status, 200U);
  ASSERT_EQ(owner.queries().size(), 1U);
  EXPECT_EQ(owner.queries()[0].authorization, "Bearer shared");
}

TEST_F(CustomerRouterTest, AForwardedRequestIsNeverForwardedAgain) {
  Owner owner;
  Make(LocalCustomer::kNotOwned, {owner.address(), ""});
  HttpReply reply = Ask(Query("c 1", true));
  EXPECT_EQ(reply.status, 503U);
  EXPECT_NE(reply.body.find("rebalance"), std::string::npos) << reply.body;
  EXPECT_EQ(owner_lookups_.load(), 0);
  EXPECT_TRUE(owner.queries().empty());
}

TEST_F(CustomerRouterTest, UnknownOwnerIs503WithTheReason) {
  Make(std::nullopt, {"", "no member of group g serves partition 2 (group PreparingRebalance)"});
  HttpReply reply = Ask(Query("c 1"));
  EXPECT_EQ(reply.status, 503U);
  EXPECT_EQ(reply.body,
            "{\"error\":\"owner unknown: no member of group g serves partition 2 (group "
            "PreparingRebalance)\"}");
}

TEST_F(CustomerRouterTest, AStaleViewNamingThisInstanceIs503AndForgotten) {
  Make(LocalCustomer::kNotOwned, {"self:1", ""});
  EXPECT_EQ(Ask(Query("c 1")).status, 503U);
  EXPECT_EQ(forgotten_.load(), 1);
}

TEST_F(CustomerRouterTest, AnUnreachableOwnerIs503AndForgotten) {
  Make(std::nullopt, {"127.0.0.1:" + std::to_string(DeadPort()), ""});
  HttpReply reply = Ask(Query("c 1"));
  EXPECT_EQ(reply.status, 503U);
  EXPECT_NE(reply.body.find("unreachable"), std::string::npos) << reply.body;
  EXPECT_EQ(reply.body.find("c 1"), std::string::npos) << "no customer id in the reason";
  EXPECT_EQ(forgotten_.load(), 1);
}

TEST_F(CustomerRouterTest, ASilentOwnerTimesOut) {
  Owner owner;
  Make(std::nullopt, {owner.address(), ""});
  auto started = std::chrono::steady_clock::now();
  HttpReply reply = Ask(Query("silent"));
  EXPECT_EQ(reply.status, 503U);
  EXPECT_NE(reply.body.find("no answer within 300 ms"), std::string::npos) << reply.body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(forgotten_.load(), 1);
}

TEST_F(CustomerRouterTest, TheOwnersRefusalsPassAs503Or502) {
  Owner owner("other-token");
  Make(std::nullopt, {owner.address(), ""});
  HttpReply refused = Ask(Query("c 1"));
  EXPECT_EQ(refused.status, 502U);
  EXPECT_NE(refused.body.find("answered 401"), std::string::npos) << refused.body;
  Owner busy;
  Make(std::nullopt, {busy.address(), ""});
  HttpReply not_ready = Ask(Query("busy"));
  EXPECT_EQ(not_ready.status, 503U);
  EXPECT_EQ(not_ready.body, "{\"error\":\"not ready\"}");
}

TEST(HttpClientTest, ABadAddressIsAnErrorNotAHang) {
  HttpClient client;
  std::promise<HttpClientResult> answered;
  client.Get("no-port", "/", {}, std::chrono::milliseconds(500),
             [&answered](HttpClientResult result) { answered.set_value(result); });
  HttpClientResult result = answered.get_future().get();
  EXPECT_EQ(result.status, 0U);
  EXPECT_NE(result.error.find("bad address"), std::string::npos);
}

TEST(HttpClientTest, InFlightRequestsAreAnsweredWhenTheClientGoesAway) {
  Owner owner;
  std::promise<HttpClientResult> answered;
  {
    HttpClient client;
    client.Get(owner.address(), "/customers/silent", {}, std::chrono::seconds(30),
               [&answered](HttpClientResult result) { answered.set_value(result); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::future<HttpClientResult> future = answered.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  EXPECT_EQ(future.get().error, "stopped");
}

}  // namespace
}  // namespace cx
