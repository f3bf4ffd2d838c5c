// Where the customer cache's memory goes (issue 12, "a compact in-memory state"): replays a JSON
// Lines file through one shard (a fresh store in a temporary directory, a commit every 100 000
// events, every customer kept cached), then walks the cached states and prints, per cached
// customer, the bytes of each part by the estimate of state/customer_state_size.cpp: inline in
// the struct, used by elements, and capacity held beyond the elements (slack). Last, it compares
// the cache's estimate with what the allocator really gives back when the cache is cleared.
// With MEMORY_MB, the cache is bounded to that many MiB instead (so it packs and evicts as a
// replay's does) and only the estimate and what clearing gives back are printed.
// Usage: cache_memory INPUT.jsonl [MEMORY_MB]
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <absl/container/flat_hash_set.h>
#if CXPULSE_CACHE_MEMORY_JEMALLOC
#include <jemalloc/jemalloc.h>
#else
#include <malloc.h>
#endif

#include "bench/padded_lines.h"
#include "runtime/shard/shard.h"
#include "schemas/decoder.h"
#include "state/customer_state_size.h"

namespace cx {
namespace {

constexpr uint64_t kCommitEvery = 100'000;

class NullSink final : public EmissionSink {
 public:
  void OnSignal(const Signal&) override {}
  void OnAlert(const Alert&) override {}
  void OnDeadLetter(const DeadLetter&) override {}
};

struct Part {
  const char* name;
  double used = 0;         // element bytes in use (size * sizeof), or a string's length
  double slack = 0;        // capacity beyond that, plus the allocator block header
  uint64_t allocated = 0;  // customers for which the part has a heap block
};

template <typename T>
void Add(Part& part, const std::vector<T>& v) {
  if (v.capacity() == 0) {
    return;
  }
  part.used += static_cast<double>(v.size() * sizeof(T));
  part.slack += static_cast<double>((v.capacity() - v.size()) * sizeof(T) + 16);
  ++part.allocated;
}

void Add(Part& part, const std::string& s) {
  if (s.capacity() <= 15) {
    return;
  }
  part.used += static_cast<double>(s.size());
  part.slack += static_cast<double>(s.capacity() + 1 - s.size() + 16);
  ++part.allocated;
}

// The bytes the allocator has handed out and not had back (jemalloc: `stats.allocated`, its size
// classes included; glibc: the main arena's and mmap'd blocks, headers included).
size_t AllocatedBytes() {
#if CXPULSE_CACHE_MEMORY_JEMALLOC
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  size_t allocated = 0;
  size = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0) return 0;
  return allocated;
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
#endif
}

// Prints the cache's estimate per customer and what clearing it gives back to the allocator:
// its slots, states, packed entries, tables and departed filter.
void PrintEstimateAgainstAllocator(CustomerCache& cache, double customers) {
  const auto estimate = static_cast<double>(cache.Stats().bytes);
  std::printf("cache bytes per customer (CacheStats) %.1f\n", estimate / customers);
  const size_t before = AllocatedBytes();
  cache.Clear();
  const size_t after = AllocatedBytes();
  const auto freed = static_cast<double>(before - after);
  std::printf("%s gave back per customer on clearing the cache %.1f (estimate / real = %.3f)\n",
#if CXPULSE_CACHE_MEMORY_JEMALLOC
              "jemalloc",
#else
              "glibc malloc",
#endif
              freed / customers, estimate / freed);
}

int Main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT.jsonl [MEMORY_MB]\n", argv[0]);
    return 2;
  }
  const size_t cache_bytes = argc == 3 ? std::stoul(argv[2]) << 20 : SIZE_MAX;
  std::string error;
  std::unique_ptr<PaddedLines> lines = PaddedLines::Open(argv[1], error);
  if (!lines) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "cxpulse-cache-memory";
  std::filesystem::remove_all(dir);
  StoreOptions options;
  options.path = dir.string();
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message().c_str());
    return 1;
  }
  RulesConfig rules;
  NullSink sink;
  Shard shard(0, rules, std::move(store).value(), 100'000'000, sink, cache_bytes);
  if (!shard.Restore()) {
    return 1;
  }
  Decoder decoder;
  Event event;
  DecodeFailure why;
  absl::flat_hash_set<std::string> ids;
  std::string_view line;
  uint64_t n = 0;
  while (lines->Next(line)) {
    if (decoder.DecodePadded(line, EventTime::Max(), event, why) != DecodeError::kOk) {
      continue;
    }
    ids.emplace(event.customer_id);
    if (!shard.Process(event) || (++n % kCommitEvery == 0 && !shard.Commit())) {
      std::fprintf(stderr, "processing failed at event %llu\n", static_cast<unsigned long long>(n));
      return 1;
    }
  }
  if (!shard.Commit()) {
    return 1;
  }
  if (cache_bytes != SIZE_MAX) {
    const CacheStats stats = shard.cache().Stats();
    std::printf(
        "events %llu, customers %zu; bounded to %s MiB: %zu in memory, %zu of them packed\n",
        static_cast<unsigned long long>(n), ids.size(), argv[2], stats.size, stats.packed);
    PrintEstimateAgainstAllocator(shard.cache(), static_cast<double>(stats.size));
    std::filesystem::remove_all(dir);
    return 0;
  }

  std::vector<Part> parts = {{"seen (dedup window)"},
                             {"contacts"},
                             {"contact strings"},
                             {"chat messages"},
                             {"history"},
                             {"breaches"},
                             {"clicks"},
                             {"session pages"},
                             {"surveys"},
                             {"survey strings"}};
  double estimate = 0;
  uint64_t open_contacts = 0;
  for (const std::string& id : ids) {
    Result<CustomerState*> got = shard.cache().GetOrLoad(id);
    if (!got) {
      return 1;
    }
    const CustomerState& s = **got;
    estimate += static_cast<double>(ApproxMemoryBytes(s));
    Add(parts[0], s.seen);
    Add(parts[1], s.contacts);
    for (const Contact& c : s.contacts) {
      ++open_contacts;
      for (const std::string* str :
           {&c.contact_id, &c.open_event_id, &c.channel, &c.queue, &c.reason}) {
        Add(parts[2], *str);
      }
      Add(parts[3], c.messages);
    }
    Add(parts[4], s.history);
    Add(parts[5], s.breaches);
    Add(parts[6], s.clicks);
    Add(parts[7], s.session.pages);
    Add(parts[8], s.surveys);
    for (const SurveyAnswer& a : s.surveys) {
      Add(parts[9], a.contact_id);
      Add(parts[9], a.comment);
    }
  }
  const auto customers = static_cast<double>(ids.size());
  std::printf("events %llu, customers %zu, open contacts per customer %.2f\n",
              static_cast<unsigned long long>(n), ids.size(),
              static_cast<double>(open_contacts) / customers);
  std::printf(
      "sizeof: CustomerState %zu, Contact %zu, SeenEvent %zu, ContactRecord %zu, "
      "cache entry overhead %zu\n",
      sizeof(CustomerState), sizeof(Contact), sizeof(SeenEvent), sizeof(ContactRecord),
      CustomerCache::kEntryOverheadBytes);
  std::printf("%-22s %10s %10s %12s\n", "part (per customer)", "used B", "slack B", "with a block");
  for (const Part& p : parts) {
    std::printf("%-22s %10.1f %10.1f %11.1f%%\n", p.name, p.used / customers, p.slack / customers,
                100.0 * static_cast<double>(p.allocated) / customers);
  }
  std::printf("estimate per customer (ApproxMemoryBytes) %.1f, plus the entry %zu\n",
              estimate / customers, CustomerCache::kEntryOverheadBytes);
  PrintEstimateAgainstAllocator(shard.cache(), customers);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace cx

int main(int argc, char** argv) { return cx::Main(argc, argv); }
