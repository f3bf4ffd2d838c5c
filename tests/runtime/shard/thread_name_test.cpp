// NameThisThread: what `top -H` and /proc show for a thread of cxpulse.
#include "runtime/shard/thread_name.h"

#include <pthread.h>

#include <array>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace cx {
namespace {

// The name a new thread has after NameThisThread(name).
std::string NameAfter(const std::string& name) {
  std::string seen;
  std::thread([&] {
    NameThisThread(name);
    std::array<char, 64> buffer{};
    if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) == 0) {
      seen = buffer.data();
    }
  }).join();
  return seen;
}

TEST(ThreadNameTest, AShortNameIsKept) { EXPECT_EQ(NameAfter("cx-read"), "cx-read"); }

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  EXPECT_EQ(NameAfter("cx-http-client-of-outreach"), "cx-http-client-");
  EXPECT_EQ(NameAfter("cx-proc-1234567"), "cx-proc-1234567");
}

}  // namespace
}  // namespace cx
