#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "schemas/decoder.h"

// Counts heap allocations made by this thread while `counting` is set. Replacing the global
// operator new affects the whole test binary but only counts inside CountAllocations().
// Every form of new and delete is replaced, so that each pair meets in malloc/free: with only
// the plain forms replaced, simdjson's `new (std::nothrow)` came from the ASan runtime's own
// operator new while its delete went to free() (ASan: alloc-dealloc-mismatch).
namespace {
thread_local bool counting = false;
thread_local int allocations = 0;
}  // namespace

// GCC cannot see that this operator new/delete pair matches.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
void* CountedMalloc(std::size_t size) noexcept {
  if (counting) ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = CountedMalloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = CountedMalloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return CountedMalloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return CountedMalloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace cx {
namespace {

TEST(DecoderAllocTest, DecodeDoesNotAllocate) {
  Decoder decoder;
  Event event;
  DecodeFailure why;
  const std::string inputs[] = {
      R"({"event_id":"e-1","customer_id":"c-42","type":"chat","action":"message","contact_id":"h",)"
      R"("author":"agent","ts":"2026-10-05T12:00:00.250+03:00","x":{"y":[1,2.5,"\u00e9",null]}})",
      R"({"event_id":"e-2","customer_id":"c-42","type":"survey","survey":"nps","score":11,"ts":0})",
      R"({"event_id":"e-3",)",
      std::string(kMaxEventBytes + 1, ' '),
  };
  allocations = 0;
  counting = true;
  delete new std::string(100, 'x');  // the counter itself works
  const int baseline = allocations;
  int ok = 0;
  for (int round = 0; round < 100; ++round) {
    for (const std::string& input : inputs) {
      ok += decoder.Decode(input, EventTime::Max(), event, why) == DecodeError::kOk;
    }
  }
  counting = false;
  EXPECT_EQ(ok, 100);
  ASSERT_GE(baseline, 1);
  EXPECT_EQ(allocations, baseline);
}

}  // namespace
}  // namespace cx
