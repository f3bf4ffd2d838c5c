// Slow clients (a "slowloris": many connections, each sending one byte a second) must not starve
// the probes, and over-long request lines and headers get 414 and 431. Loopback only.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/http/http_server.h"
#include "tests/runtime/http/http_test_client.h"

namespace cx {
namespace {

using testing::Connect;
using testing::Fetch;
using testing::RawConnection;
using Clock = std::chrono::steady_clock;

constexpr int kSlowClients = 520;  // more than the default max_connections (512)

// Keeps `kSlowClients` connections open to `port`, each sending one more byte of a request
// line every second and never finishing it; a connection the server closes is opened again.
// Stops by itself after `duration` (and in its destructor).
class SlowClients {
 public:
  SlowClients(uint16_t port, std::chrono::seconds duration) : port_(port) {
    deadline_ = Clock::now() + duration;
    thread_ = std::thread([this] { Run(); });
  }
  ~SlowClients() {
    stop_ = true;
    thread_.join();
  }
  [[nodiscard]] bool ready() const { return opened_.load() >= kSlowClients; }
  [[nodiscard]] int reconnects() const { return reconnects_.load(); }

 private:
  struct Client {
    std::optional<boost::asio::ip::tcp::socket> socket;
    size_t sent = 0;
  };

  void Open(Client& client) {
    try {
      client.socket.emplace(Connect(io_, port_));
      client.socket->non_blocking(true);
      client.sent = 0;
    } catch (const std::exception&) {
      client.socket.reset();
    }
  }

  void Run() {
    static const std::string kRequest = "GET /healthz?" + std::string(4096, 'a');
    std::vector<Client> clients(kSlowClients);
    for (Client& client : clients) {
      Open(client);
      ++opened_;
    }
    while (!stop_ && Clock::now() < deadline_) {
      for (Client& client : clients) {
        if (!client.socket) {
          Open(client);
          ++reconnects_;
          continue;
        }
        char byte = kRequest[client.sent % kRequest.size()];
        if (::send(client.socket->native_handle(), &byte, 1, MSG_NOSIGNAL) != 1) {
          client.socket.reset();  // closed by the server: a new one next round
          continue;
        }
        ++client.sent;
      }
      for (int i = 0; i < 10 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  uint16_t port_;
  Clock::time_point deadline_;
  boost::asio::io_context io_;
  std::atomic<bool> stop_{false};
  std::atomic<int> opened_{0};
  std::atomic<int> reconnects_{0};
  std::thread thread_;
};

// The default limits of `cxpulse run` (max_connections 512, read timeout 30 s).
std::unique_ptr<HttpServer> StartDefaultServer() {
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  HttpBackend backend;
  backend.ready = [] { return true; };
  auto server = std::make_unique<HttpServer>(options, backend);
  Result<void> started = server->Start();
  EXPECT_TRUE(started.ok()) << started.error().message();
  return server;
}

// One probe: its status, or 0 when the connection failed; `took` is how long it took.
unsigned Probe(uint16_t port, const std::string& path, Clock::duration& took) {
  auto started = Clock::now();
  unsigned status = 0;
  try {
    status = Fetch(port, path).status;
  } catch (const std::exception&) {
    status = 0;
  }
  took = Clock::now() - started;
  return status;
}

TEST(HttpSlowClientsTest, ProbesAnswerWithinASecondUnder520SlowConnections) {
  auto server = StartDefaultServer();
  const uint16_t port = server->port();
  SlowClients slow(port, std::chrono::seconds(20));
  auto give_up = Clock::now() + std::chrono::seconds(10);
  while (!slow.ready() && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(slow.ready()) << "could not open " << kSlowClients << " loopback connections";
  std::this_thread::sleep_for(std::chrono::seconds(1));  // every slow client sent a byte

  int probes = 0;
  int failed = 0;
  Clock::duration slowest{};
  auto end = Clock::now() + std::chrono::seconds(8);
  while (Clock::now() < end) {
    for (const char* path : {"/healthz", "/readyz"}) {
      Clock::duration took{};
      unsigned status = Probe(port, path, took);
      ++probes;
      slowest = std::max(slowest, took);
      if (status != 200 || took > std::chrono::seconds(1)) {
        ++failed;
        ADD_FAILURE() << path << " answered " << status << " after "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms under " << kSlowClients << " slow connections";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(failed, 0) << "of " << probes << " probes";
  std::printf("%d probes, %d failed, slowest %lld ms, %d slow-client reconnects\n", probes, failed,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()),
              slow.reconnects());
}

TEST(HttpSlowClientsTest, OverlongUrlGets414AndOverlongHeadersGet431) {
  auto server = StartDefaultServer();
  const uint16_t port = server->port();
  // A URL longer than the server reads (8 KiB), within and beyond the whole header limit.
  EXPECT_EQ(Fetch(port, "/healthz?" + std::string(10 * 1024, 'a')).status, 414U);
  EXPECT_EQ(Fetch(port, "/healthz?" + std::string(40 * 1024, 'a')).status, 414U);
  // One huge header, and many ordinary ones adding up to more than 16 KiB.
  EXPECT_EQ(Fetch(port, "/healthz", {{"X-Big", std::string(20 * 1024, 'b')}}).status, 431U);
  std::map<std::string, std::string> many;
  for (int i = 0; i < 200; ++i) many["X-H" + std::to_string(i)] = std::string(100, 'c');
  EXPECT_EQ(Fetch(port, "/healthz", many).status, 431U);
  // Just under the limits is still served.
  EXPECT_EQ(Fetch(port, "/healthz?" + std::string(4 * 1024, 'a')).status, 200U);
  EXPECT_EQ(Fetch(port, "/healthz", {{"X-Ok", std::string(8 * 1024, 'b')}}).status, 200U);
  // A raw request line that never ends within the limit.
  RawConnection endless(port, "GET /" + std::string(20 * 1024, 'x'));
  EXPECT_NE(endless.ReadUntil("\r\n").find("414"), std::string::npos);
}

}  // namespace
}  // namespace cx
