#include "state/store/customer_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "state/customer_state_codec.h"
#include "state/customer_state_size.h"
#include "tests/common/temp_dir.h"

namespace {
thread_local bool g_count_allocations = false;
thread_local int g_allocations = 0;
}  // namespace

// Counts heap allocations made by this thread while g_count_allocations is set. GCC 12 cannot
// see that malloc/free pair up inside replaced global operators, hence the pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (g_count_allocations) {
    ++g_allocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's temporary buffer uses it): every form that the
// replaced deletes free must come from malloc.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (g_count_allocations) {
    ++g_allocations;
  }
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace cx {
namespace {

using testing::TempDir;

constexpr EventTime kT0 = EventTime::FromMillis(1'790'000'000'000);

std::unique_ptr<StateStore> OpenAt(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.evict_after = Duration::Days(1);
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

CustomerState& MustLoad(CustomerCache& cache, std::string_view id) {
  Result<CustomerState*> load = cache.GetOrLoad(id);
  EXPECT_TRUE(load.ok()) << load.error().message();
  if (!load) {
    static CustomerState unusable;
    return unusable;
  }
  return **load;
}

void CommitDirty(StateStore& store, CustomerCache& cache) {
  StoreBatch batch;
  cache.TakeDirty(batch);
  const StoreResult result = store.Commit(batch);
  ASSERT_TRUE(result.IsOk()) << result.message();
  cache.OnCommitted();
}

TEST(CustomerCacheTest, MissLoadsAFreshStateThenHitsReturnTheSameObject) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  CustomerState& first = MustLoad(cache, "c-1");
  EXPECT_EQ(first, CustomerState{});
  first.tier = Tier::kVip;
  CustomerState& again = MustLoad(cache, "c-1");
  EXPECT_EQ(&again, &first);
  EXPECT_EQ(again.tier, Tier::kVip);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.size, 1u);
}

// The index keys entries by the id's hash and compares ids in the slots: two customers whose
// ids hash alike (forced here; 64-bit hashes of real ids practically never collide) are two
// entries, each lookup finding its own.
TEST(CustomerCacheTest, IdsWithTheSameHashAreDistinctCustomers) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  const CustomerKey first_key("c-1");
  CustomerKey second_key("c-2");
  second_key.hash = first_key.hash;
  Result<CustomerState*> first = cache.GetOrLoad(first_key);
  ASSERT_TRUE(first.ok());
  (*first)->tier = Tier::kVip;
  cache.Prefetch(second_key);
  cache.PrefetchState(second_key);
  cache.PrefetchWindows(second_key);
  Result<CustomerState*> second = cache.GetOrLoad(second_key);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  EXPECT_EQ(**second, CustomerState{});
  Result<CustomerState*> first_again = cache.GetOrLoad(first_key);
  Result<CustomerState*> second_again = cache.GetOrLoad(second_key);
  ASSERT_TRUE(first_again.ok() && second_again.ok());
  EXPECT_EQ(*first_again, *first);
  EXPECT_EQ((*first_again)->tier, Tier::kVip);
  EXPECT_EQ(*second_again, *second);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.size, 2u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.hits, 2u);
}

// Every prefetch stage, of a customer in memory, one not in memory and on an empty cache, only
// loads memory: no lookup is counted, nothing loaded or evicted, the state unchanged.
TEST(CustomerCacheTest, PrefetchingChangesNothing) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 1);
  auto prefetch_all = [&cache](const CustomerKey& key) {
    cache.Prefetch(key);
    cache.PrefetchState(key);
    cache.PrefetchWindows(key);
  };
  const CustomerKey cached("c-1");
  const CustomerKey absent("c-2");
  prefetch_all(cached);
  EXPECT_EQ(cache.Size(), 0u);
  Result<CustomerState*> state = cache.GetOrLoad(cached);
  ASSERT_TRUE(state.ok());
  (*state)->tier = Tier::kVip;
  const CacheStats before = cache.Stats();
  prefetch_all(cached);
  prefetch_all(absent);
  const CacheStats after = cache.Stats();
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.evictions, before.evictions);
  EXPECT_EQ(after.size, 1u);
  EXPECT_TRUE(cache.Contains("c-1"));
  EXPECT_FALSE(cache.Contains("c-2"));
  Result<CustomerState*> again = cache.GetOrLoad(cached);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *state);
  EXPECT_EQ((*again)->tier, Tier::kVip);
}

TEST(CustomerCacheTest, HitWithAStringViewDoesNotAllocate) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  const std::string id(40, 'x');  // longer than the small-string buffer
  (void)MustLoad(cache, id);
  ASSERT_TRUE(cache.MarkDirty(id));
  g_allocations = 0;
  g_count_allocations = true;
  Result<CustomerState*> load = cache.GetOrLoad(std::string_view(id));
  const bool marked = cache.MarkDirty(id);
  g_count_allocations = false;
  EXPECT_TRUE(load.ok());
  EXPECT_TRUE(marked);
  EXPECT_EQ(g_allocations, 0);
}

TEST(CustomerCacheTest, TracksDirtyEntriesAndWritesThemOnce) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  EXPECT_FALSE(cache.MarkDirty("never-loaded"));
  MustLoad(cache, "a").last_activity = kT0;
  MustLoad(cache, "b").last_activity = kT0 + Duration::Seconds(1);
  (void)MustLoad(cache, "c");
  EXPECT_TRUE(cache.MarkDirty("a"));
  EXPECT_TRUE(cache.MarkDirty("b"));
  EXPECT_TRUE(cache.MarkDirty("a"));
  EXPECT_EQ(cache.DirtyCount(), 2u);

  StoreBatch batch;
  cache.TakeDirty(batch);
  EXPECT_EQ(batch.Count(), 2u);
  EXPECT_EQ(cache.DirtyCount(), 0u) << "the take hands the dirty set over";
  EXPECT_EQ(cache.UnwrittenCount(), 2u);
  // A failed write is retried with the same batch: it still holds both.
  ASSERT_TRUE(store->Commit(batch).IsOk());
  cache.OnCommitted();
  EXPECT_EQ(cache.DirtyCount(), 0u);
  EXPECT_EQ(cache.UnwrittenCount(), 0u);

  std::string bytes;
  CustomerState stored;
  ASSERT_TRUE(store->GetCustomer("b", bytes).IsOk());
  ASSERT_TRUE(DecodeCustomerState(bytes, stored));
  EXPECT_EQ(stored.last_activity, kT0 + Duration::Seconds(1));
  EXPECT_TRUE(store->GetCustomer("c", bytes).IsNotFound()) << "clean entries are not written";

  StoreBatch none;
  cache.TakeDirty(none);
  EXPECT_TRUE(none.Empty());
}

TEST(CustomerCacheTest, ChangesAfterTheTakeGoIntoTheNextBatch) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  MustLoad(cache, "a").last_activity = kT0;
  MustLoad(cache, "b").last_activity = kT0;
  ASSERT_TRUE(cache.MarkDirty("a"));
  ASSERT_TRUE(cache.MarkDirty("b"));
  StoreBatch first;
  cache.TakeDirty(first);
  ASSERT_EQ(first.Count(), 2u);

  // While `first` is being written, a changes again and c is new.
  MustLoad(cache, "a").last_activity = kT0 + Duration::Seconds(5);
  MustLoad(cache, "c").last_activity = kT0 + Duration::Seconds(6);
  ASSERT_TRUE(cache.MarkDirty("a"));
  ASSERT_TRUE(cache.MarkDirty("c"));
  EXPECT_EQ(cache.DirtyCount(), 2u);
  ASSERT_TRUE(store->Commit(first).IsOk());
  cache.OnCommitted();
  EXPECT_EQ(cache.DirtyCount(), 2u) << "OnCommitted of the first batch keeps later changes dirty";

  StoreBatch second;
  cache.TakeDirty(second);
  std::vector<std::string> keys;
  second.ForEach([&](StoreOp op, std::string_view key, std::string_view) {
    if (op == StoreOp::kPutCustomer) keys.emplace_back(key);
  });
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "c"}));
  ASSERT_TRUE(store->Commit(second).IsOk());
  cache.OnCommitted();

  std::string bytes;
  CustomerState stored;
  ASSERT_TRUE(store->GetCustomer("a", bytes).IsOk());
  ASSERT_TRUE(DecodeCustomerState(bytes, stored));
  EXPECT_EQ(stored.last_activity, kT0 + Duration::Seconds(5));
}

TEST(CustomerCacheTest, NeverEvictsWhatIsNotInTheStoreYet) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 1);
  MustLoad(cache, "a").last_activity = kT0;
  ASSERT_TRUE(cache.MarkDirty("a"));
  StoreBatch first;
  cache.TakeDirty(first);
  // While `first` is being written: b and c change (dirty, in no batch yet), d is only read.
  for (const char* id : {"b", "c"}) {
    MustLoad(cache, id).last_activity = kT0 + Duration::Seconds(1);
    ASSERT_TRUE(cache.MarkDirty(id));
  }
  (void)MustLoad(cache, "d");
  ASSERT_TRUE(store->Commit(first).IsOk());
  cache.OnCommitted();
  // a is written and d clean: both may go; b and c are dirty and must stay.
  EXPECT_TRUE(cache.Contains("b"));
  EXPECT_TRUE(cache.Contains("c"));
  EXPECT_FALSE(cache.Contains("a"));
  EXPECT_FALSE(cache.Contains("d"));
  EXPECT_EQ(cache.Size(), 2u) << "beyond the bound while entries are dirty";

  StoreBatch second;
  cache.TakeDirty(second);
  EXPECT_EQ(second.Count(), 2u);
  // Taken but unwritten: nothing can be evicted before OnCommitted, however far beyond the
  // bound (an evicted b would be read back from a store that lacks it).
  (void)MustLoad(cache, "e");
  EXPECT_EQ(cache.UnwrittenCount(), 2u);
  ASSERT_TRUE(store->Commit(second).IsOk());
  cache.OnCommitted();
  EXPECT_EQ(cache.Size(), 1u);
  // Every evicted customer comes back from the store with its last state.
  EXPECT_EQ(MustLoad(cache, "a").last_activity, kT0);
  EXPECT_EQ(MustLoad(cache, "b").last_activity, kT0 + Duration::Seconds(1));
  EXPECT_EQ(MustLoad(cache, "c").last_activity, kT0 + Duration::Seconds(1));
}

TEST(CustomerCacheTest, EvictsLeastRecentlyUsedBeyondTheBound) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 3);
  for (const char* id : {"a", "b", "c", "d"}) {
    (void)MustLoad(cache, id);
  }
  (void)MustLoad(cache, "a");
  EXPECT_EQ(cache.Size(), 4u) << "pointers stay valid until OnCommitted";
  cache.OnCommitted();
  EXPECT_EQ(cache.Size(), 3u);
  EXPECT_TRUE(cache.Contains("a"));
  EXPECT_FALSE(cache.Contains("b"));
  EXPECT_TRUE(cache.Contains("c"));
  EXPECT_TRUE(cache.Contains("d"));
  EXPECT_EQ(cache.Stats().evictions, 1u);

  // CLOCK: the hand gave a its second chance and stopped after b. Using c then e leaves d the
  // first unused entry after the hand.
  (void)MustLoad(cache, "c");
  (void)MustLoad(cache, "e");
  cache.OnCommitted();
  EXPECT_TRUE(cache.Contains("a"));
  EXPECT_TRUE(cache.Contains("c"));
  EXPECT_FALSE(cache.Contains("d"));
  EXPECT_TRUE(cache.Contains("e"));
  EXPECT_EQ(cache.Stats().evictions, 2u);
}

TEST(CustomerCacheTest, FreshStoreMissesReadOnlyCustomersWhoLeftMemory) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->HadNoCustomersAtOpen());
  CustomerCache cache(*store, 2);
  MustLoad(cache, "a").last_activity = kT0;
  ASSERT_TRUE(cache.MarkDirty("a"));
  CommitDirty(*store, cache);
  EXPECT_EQ(store->CustomerWrites(), 1u);
  (void)MustLoad(cache, "b");
  EXPECT_EQ(cache.Stats().reads_skipped, 2u) << "the store holds only what the cache holds";
  (void)MustLoad(cache, "c");
  cache.OnCommitted();  // evicts one of a, b, c
  ASSERT_EQ(cache.Stats().evictions, 1u);
  EXPECT_EQ(cache.Stats().departed, 1u);
  const bool a_left = !cache.Contains("a");
  (void)MustLoad(cache, "a");
  EXPECT_EQ(cache.Stats().reads_skipped, 3u) << "a customer who left memory is read";
  EXPECT_EQ(cache.Stats().misses, a_left ? 4u : 3u);
  EXPECT_EQ(MustLoad(cache, "a").last_activity, kT0) << "an evicted customer comes back";
  (void)MustLoad(cache, "d");
  EXPECT_EQ(cache.Stats().reads_skipped, 4u) << "a first sighting after an eviction is not read";
}

TEST(CustomerCacheTest, EveryCustomerWhoLeftMemoryIsReadBack) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 100);
  // 2 000 customers through a cache of 100: nearly all of them leave memory, and each must be
  // read back with its state (a Bloom filter with a false negative would make it fresh).
  constexpr int kCustomers = 2000;
  for (int n = 0; n < kCustomers; ++n) {
    const std::string id = "c-" + std::to_string(n);
    MustLoad(cache, id).last_activity = kT0 + Duration::Seconds(n);
    ASSERT_TRUE(cache.MarkDirty(id));
    if (n % 50 == 49) {
      CommitDirty(*store, cache);
    }
  }
  CommitDirty(*store, cache);
  const CacheStats filled = cache.Stats();
  // All first sightings: none is read but the filter's false positives (≈ 0.5 % per layer).
  EXPECT_GE(filled.reads_skipped, static_cast<uint64_t>(kCustomers * 95 / 100));
  EXPECT_GE(filled.departed, static_cast<uint64_t>(kCustomers - 100));
  for (int n = 0; n < kCustomers; ++n) {
    EXPECT_EQ(MustLoad(cache, "c-" + std::to_string(n)).last_activity, kT0 + Duration::Seconds(n))
        << n;
    if (n % 50 == 49) {
      cache.OnCommitted();
    }
  }
  EXPECT_EQ(cache.Stats().reads_skipped, filled.reads_skipped)
      << "no customer who left memory skipped its read";
}

TEST(CustomerCacheTest, AFilterOfDepartedCustomersOverAQuarterOfTheBoundIsDropped) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  // The filter's first layer is 1.5 KiB: over a quarter of this bound from its first customer.
  const size_t bound = 4 * DepartedFilter::kFirstLayerBytes - 1;
  CustomerCache cache(*store, 1, bound);
  for (const char* id : {"a", "b"}) {
    MustLoad(cache, id).last_activity = kT0;
    ASSERT_TRUE(cache.MarkDirty(id));
    CommitDirty(*store, cache);  // a leaves memory when b comes
  }
  EXPECT_EQ(cache.Stats().evictions, 1u);
  EXPECT_EQ(cache.Stats().departed, 0u) << "dropped";
  EXPECT_LE(cache.Bytes(), bound);
  (void)MustLoad(cache, "c");
  EXPECT_EQ(cache.Stats().reads_skipped, 2u) << "every miss reads the store from then on";
  EXPECT_EQ(MustLoad(cache, "a").last_activity, kT0);
}

TEST(CustomerCacheTest, AWriteFromElsewhereMakesMissesReadTheStore) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 8);
  (void)MustLoad(cache, "a");
  EXPECT_EQ(cache.Stats().reads_skipped, 1u);
  // E.g. a changelog restore writing into the shard's store directly.
  CustomerState restored;
  restored.last_activity = kT0;
  std::string bytes;
  EncodeCustomerState(restored, bytes);
  StoreBatch batch;
  batch.PutCustomer("b", bytes);
  ASSERT_TRUE(store->Commit(batch).IsOk());
  EXPECT_EQ(MustLoad(cache, "b").last_activity, kT0);
  EXPECT_EQ(cache.Stats().reads_skipped, 1u);
  // A store reopened with customers in it is read on every miss from the start.
  cache.Clear();
  store.reset();
  store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->HadNoCustomersAtOpen());
  CustomerCache reopened(*store, 8);
  EXPECT_EQ(MustLoad(reopened, "b").last_activity, kT0);
  EXPECT_EQ(reopened.Stats().reads_skipped, 0u);
}

// Two caches over disjoint customers of one store (a replay's slices), committed together in
// one WriteBatch: each counts the other's writes as its own, so both still skip the reads of
// customers they never held; without the count, the other's writes look like a foreign writer.
TEST(CustomerCacheTest, CachesSharingAStoreAndItsCommitsStillSkipReads) {
  for (const bool counted : {true, false}) {
    SCOPED_TRACE(counted ? "writes counted" : "writes not counted");
    TempDir dir;
    auto store = OpenAt(dir.Path());
    ASSERT_NE(store, nullptr);
    const std::string tag = counted ? "counted-" : "uncounted-";
    CustomerCache left(*store, 8);
    CustomerCache right(*store, 8);
    MustLoad(left, tag + "a").last_activity = kT0;
    MustLoad(right, tag + "b").last_activity = kT0;
    MustLoad(right, tag + "c").last_activity = kT0;
    ASSERT_TRUE(left.MarkDirty(tag + "a"));
    ASSERT_TRUE(right.MarkDirty(tag + "b"));
    ASSERT_TRUE(right.MarkDirty(tag + "c"));
    StoreBatch left_batch;
    StoreBatch right_batch;
    left.TakeDirty(left_batch);
    right.TakeDirty(right_batch);
    if (counted) {
      left.CountPartnerWrites(2);
      right.CountPartnerWrites(1);
    }
    const std::array<const StoreBatch*, 2> both{&left_batch, &right_batch};
    ASSERT_TRUE(store->Commit(both).IsOk());
    left.OnCommitted();
    right.OnCommitted();
    const uint64_t left_skipped = left.Stats().reads_skipped;
    const uint64_t right_skipped = right.Stats().reads_skipped;
    (void)MustLoad(left, tag + "d");
    (void)MustLoad(right, tag + "e");
    EXPECT_EQ(left.Stats().reads_skipped, left_skipped + (counted ? 1 : 0));
    EXPECT_EQ(right.Stats().reads_skipped, right_skipped + (counted ? 1 : 0));
  }
}

TEST(CustomerCacheTest, MemoryStaysBoundedAndNoWriteIsLost) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  constexpr size_t kBound = 16;
  CustomerCache cache(*store, kBound);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 50; ++i) {
      const std::string id = "c-" + std::to_string(round * 50 + i);
      MustLoad(cache, id).last_activity = kT0 + Duration::Millis(round * 50 + i);
      ASSERT_TRUE(cache.MarkDirty(id));
    }
    CommitDirty(*store, cache);
    EXPECT_LE(cache.Size(), kBound);
  }
  std::string bytes;
  for (int n : {0, 1, 499, 998, 999}) {
    ASSERT_TRUE(store->GetCustomer("c-" + std::to_string(n), bytes).IsOk()) << n;
    EXPECT_EQ(LastActivityOfEncoded(bytes), kT0 + Duration::Millis(n));
  }
  const CustomerState& reloaded = MustLoad(cache, "c-3");
  EXPECT_EQ(reloaded.last_activity, kT0 + Duration::Millis(3));
}

TEST(CustomerCacheTest, ABytesBoundEvictsWrittenEntriesAndLosesNoWrite) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  // Room for about 8 customers of ~1 KiB (a hundred remembered event ids each).
  CustomerState big;
  big.seen.resize(100);
  const size_t per_customer = ApproxMemoryBytes(big) + CustomerCache::kEntryOverheadBytes;
  const size_t bound = 8 * per_customer;
  CustomerCache cache(*store, 1000, bound);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 20; ++i) {
      const int n = round * 20 + i;
      const std::string id = "c-" + std::to_string(n);
      CustomerState& state = MustLoad(cache, id);
      state.last_activity = kT0 + Duration::Millis(n);
      state.seen.assign(100, SeenEvent{static_cast<uint64_t>(n), kT0});
      ASSERT_TRUE(cache.MarkDirty(id));
    }
    CommitDirty(*store, cache);
    EXPECT_LE(cache.Bytes(), bound) << round;
    EXPECT_EQ(cache.Stats().bytes, cache.Bytes());
    EXPECT_GE(cache.Size(), 1u);
  }
  EXPECT_LE(cache.Size() - cache.PackedCount(), 8u) << "decoded";
  EXPECT_GT(cache.Stats().evictions, 0u);
  for (int n : {0, 7, 100, 199}) {
    const CustomerState& reloaded = MustLoad(cache, "c-" + std::to_string(n));
    EXPECT_EQ(reloaded.last_activity, kT0 + Duration::Millis(n)) << n;
    ASSERT_EQ(reloaded.seen.size(), 100u) << n;
    EXPECT_EQ(reloaded.seen[0].id_hash, static_cast<uint64_t>(n));
  }
  cache.Clear();
  EXPECT_EQ(cache.Bytes(), 0u);
}

TEST(CustomerCacheTest, WithoutABytesBoundOnlyTheCountBounds) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 50);
  for (int i = 0; i < 40; ++i) {
    const std::string id = "c-" + std::to_string(i);
    MustLoad(cache, id).seen.resize(1000);
    ASSERT_TRUE(cache.MarkDirty(id));
  }
  CommitDirty(*store, cache);
  EXPECT_EQ(cache.Size(), 40u);
  EXPECT_GT(cache.Bytes(), 40u * 1000 * sizeof(SeenEvent));
}

TEST(CustomerCacheTest, TheTakeGivesBackCapacityAPrunedWindowKept) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 10);
  CustomerState& state = MustLoad(cache, "c-1");
  state.seen.resize(1000);
  ASSERT_TRUE(cache.MarkDirty("c-1"));
  CommitDirty(*store, cache);
  const size_t full = cache.Bytes();
  EXPECT_GT(full, 1000u * sizeof(SeenEvent));

  state.seen.resize(3);  // the window pruned: the vector keeps its block
  ASSERT_TRUE(cache.MarkDirty("c-1"));
  StoreBatch batch;
  cache.TakeDirty(batch);
  EXPECT_EQ(state.seen.capacity(), 3u);
  EXPECT_LT(cache.Bytes(), full - 900u * sizeof(SeenEvent));
  ASSERT_TRUE(store->Commit(batch).IsOk());
  cache.OnCommitted();
  EXPECT_EQ(MustLoad(cache, "c-1").seen.size(), 3u);
}

TEST(CustomerCacheTest, UndecodableStoredBytesAreAnErrorNotACrash) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  StoreBatch batch;
  // The current format's version byte, then bytes that are not a state.
  batch.PutCustomer("bad", std::string("\x04\x00\x00\x00\x00\x00\x00\x00\x00junk", 13));
  ASSERT_TRUE(store->Commit(batch).IsOk());
  CustomerCache cache(*store, 4);
  Result<CustomerState*> load = cache.GetOrLoad("bad");
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.error().message().find("does not decode"), std::string::npos);
  EXPECT_EQ(load.error().message().find("bad"), std::string::npos) << "no customer id in errors";
  EXPECT_FALSE(cache.Contains("bad"));
  EXPECT_EQ(cache.Stats().load_errors, 1u);
}

TEST(CustomerCacheTest, StateOfANewerFormatSaysUpgradeNotCorrupt) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  std::string newer;
  EncodeCustomerState(CustomerState{}, newer);
  newer[0] = static_cast<char>(newer[0] + 1);  // what the next format version would write
  StoreBatch batch;
  batch.PutCustomer("c-next", newer);
  ASSERT_TRUE(store->Commit(batch).IsOk());
  CustomerCache cache(*store, 4);
  Result<CustomerState*> load = cache.GetOrLoad("c-next");
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.error().message(), "state format v" + std::to_string(static_cast<int>(newer[0])) +
                                        " is newer than this build supports (\u2264 v" +
                                        std::to_string(static_cast<int>(newer[0]) - 1) +
                                        "); upgrade cxpulse");
  EXPECT_EQ(cache.Stats().load_errors, 1u);
}

TEST(CustomerCacheTest, CachedStatePastTheEvictionCutoffReadsAsFresh) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 4);
  CustomerState& state = MustLoad(cache, "c-1");
  state.last_activity = kT0;
  state.tier = Tier::kVip;
  ASSERT_TRUE(cache.MarkDirty("c-1"));
  CommitDirty(*store, cache);
  store->SetEvictionHorizon(kT0 + Duration::Days(1));
  EXPECT_EQ(MustLoad(cache, "c-1").tier, Tier::kVip) << "exactly at the cutoff is kept";
  store->SetEvictionHorizon(kT0 + Duration::Days(1) + Duration::Millis(1));
  EXPECT_EQ(MustLoad(cache, "c-1"), CustomerState{});
  CustomerCache cold(*store, 4);
  EXPECT_EQ(MustLoad(cold, "c-1"), CustomerState{});
}

TEST(CustomerCacheTest, StatesSurviveARestart) {
  TempDir dir;
  CustomerState alice;
  alice.last_activity = kT0 + Duration::Minutes(3);
  alice.tier = Tier::kVip;
  CustomerState bob;
  bob.last_activity = kT0 - Duration::Days(20000);
  bob.tier = Tier::kStandard;
  {
    auto store = OpenAt(dir.Path());
    ASSERT_NE(store, nullptr);
    CustomerCache cache(*store, 1);
    MustLoad(cache, "alice") = alice;
    MustLoad(cache, "bob") = bob;
    ASSERT_TRUE(cache.MarkDirty("alice"));
    ASSERT_TRUE(cache.MarkDirty("bob"));
    CommitDirty(*store, cache);
  }
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 8);
  EXPECT_EQ(MustLoad(cache, "alice"), alice);
  EXPECT_EQ(MustLoad(cache, "bob"), bob);
  EXPECT_EQ(cache.Stats().misses, 2u);
}

// A state with every window and string in use, distinct per `n`.
CustomerState RichState(int n) {
  CustomerState state;
  state.last_activity = kT0 + Duration::Millis(n);
  state.next_deadline = kT0 + Duration::Minutes(5);
  for (int i = 0; i < 12; ++i) {
    state.seen.push_back(SeenEvent{static_cast<uint64_t>(n * 100 + i), kT0 + Duration::Millis(i)});
  }
  Contact contact;
  contact.contact_id = "call-" + std::to_string(n) + "-with-a-long-enough-id";
  contact.open_event_id = "e-" + std::to_string(n);
  contact.counted = true;
  contact.opened = kT0;
  contact.started = kT0;
  contact.queue = "billing";
  state.contacts.push_back(contact);
  state.history.push_back(ContactRecord{7, 8, 9, kT0, 2});
  state.breaches.push_back(kT0);
  state.session.pages.push_back(PageMark{kT0, true});
  state.effort = DecayingScore{12.5, kT0};
  state.tier = Tier::kVip;
  state.alerts.Mutable(1).ts = kT0;
  state.surveys.push_back(SurveyAnswer{kT0, SurveyKind::kCsat, 2, "call-1", "slow"});
  return state;
}

// The cache's estimate of a decoded RichState after a commit (which gives back slack).
size_t DecodedRichBytes() {
  CustomerState state = RichState(0);
  ReleaseSlack(state);
  return ApproxMemoryBytes(state) + CustomerCache::kEntryOverheadBytes;
}

// Loads RichState(n) as customer c-n for n < count, and commits them.
void CommitRichStates(StateStore& store, CustomerCache& cache, int count) {
  for (int n = 0; n < count; ++n) {
    const std::string id = "c-" + std::to_string(n);
    MustLoad(cache, id) = RichState(n);
    ASSERT_TRUE(cache.MarkDirty(id));
  }
  CommitDirty(store, cache);
}

TEST(CustomerCacheTest, OverTheBytesBoundStatesArePackedAndComeBackWithoutAStoreRead) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  const size_t decoded = DecodedRichBytes();
  const size_t bound = 28 * decoded;  // 40 of them decoded: well over
  CustomerCache cache(*store, 1000, bound);
  for (int n = 0; n < 40; ++n) {
    const std::string id = "c-" + std::to_string(n);
    MustLoad(cache, id) = RichState(n);
    ASSERT_TRUE(cache.MarkDirty(id));
  }
  CommitDirty(*store, cache);
  const CacheStats after_commit = cache.Stats();
  EXPECT_EQ(after_commit.size, 40u) << "packed, not dropped: all fit in the bound packed";
  EXPECT_EQ(after_commit.evictions, 0u);
  EXPECT_GE(after_commit.packed, 20u) << "decoded ones take at most half the bound";
  EXPECT_EQ(after_commit.packs, after_commit.packed);
  EXPECT_LE(cache.Bytes(), bound - bound / 8) << "an eighth left for the next interval";
  EXPECT_LE(after_commit.size - after_commit.packed, 20u);
  const uint64_t skipped = after_commit.reads_skipped;

  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(MustLoad(cache, "c-" + std::to_string(n)), RichState(n)) << n;
  }
  const CacheStats reloaded = cache.Stats();
  EXPECT_EQ(reloaded.packed, 0u);
  EXPECT_EQ(reloaded.packed_hits, after_commit.packed);
  EXPECT_EQ(reloaded.misses, after_commit.misses) << "no store read for a packed customer";
  // Packing is not eviction: the store still holds only this cache's customers, so a first
  // sighting still skips the store read.
  (void)MustLoad(cache, "new");
  EXPECT_EQ(cache.Stats().reads_skipped, skipped + 1);
  EXPECT_TRUE(cache.Contains("c-3"));
}

// Customers seen once each: packed ones never come back, so after kPackingTrials packs the
// cache stops packing and lets them leave memory, except its sample.
TEST(CustomerCacheTest, PackingStopsWhenPackedCustomersDoNotComeBack) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 100'000, 64 * DecodedRichBytes());
  int next = 0;
  const auto round = [&] {
    for (int i = 0; i < 32; ++i) {
      const std::string id = "c-" + std::to_string(next);
      MustLoad(cache, id) = RichState(next++);
      ASSERT_TRUE(cache.MarkDirty(id));
    }
    CommitDirty(*store, cache);
  };
  while (cache.Stats().packing) {
    ASSERT_LT(next, 100'000) << "packing never stopped";
    round();
  }
  EXPECT_GE(cache.Stats().packs, CustomerCache::kPackingTrials);
  EXPECT_EQ(cache.Stats().packed_hits, 0u);
  const CacheStats stopped = cache.Stats();
  for (int r = 0; r < 200; ++r) {
    round();
  }
  const CacheStats later = cache.Stats();
  EXPECT_FALSE(later.packing);
  const uint64_t packed = later.packs - stopped.packs;
  const uint64_t left = later.unpacked - stopped.unpacked;
  EXPECT_GT(packed, 0u) << "the sample is still packed";
  EXPECT_GT(left, 4 * packed) << "about 1 in " << CustomerCache::kPackingSample << " packed";
  // Whatever leaves memory is in the store.
  for (int n = 0; n < next; n += 997) {
    EXPECT_EQ(MustLoad(cache, "c-" + std::to_string(n)), RichState(n)) << n;
  }
}

// The same cache, customers coming back while packed: packing goes on.
TEST(CustomerCacheTest, PackingGoesOnWhilePackedCustomersComeBack) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 100'000, 64 * DecodedRichBytes());
  constexpr int kCustomers = 96;  // more than fit decoded, fewer than fit packed
  for (int r = 0; r < 1000; ++r) {
    for (int i = 0; i < 16; ++i) {
      const int n = (r * 16 + i) % kCustomers;
      const std::string id = "c-" + std::to_string(n);
      MustLoad(cache, id) = RichState(n);
      ASSERT_TRUE(cache.MarkDirty(id));
    }
    CommitDirty(*store, cache);
  }
  const CacheStats stats = cache.Stats();
  EXPECT_GE(stats.packs, CustomerCache::kPackingTrials) << "enough packs to decide";
  EXPECT_TRUE(stats.packing);
  EXPECT_EQ(stats.unpacked, 0u);
  EXPECT_GT(stats.packed_hits, stats.packs / 2);
}

TEST(CustomerCacheTest, PackedEntriesLeaveOldestFirstAndTheStoreHasThem) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  const size_t decoded = DecodedRichBytes();
  constexpr size_t kMaxCustomers = 30;
  // Room for 20 decoded states and the filter of the customers who left memory.
  const size_t bound = 20 * decoded + DepartedFilter::kFirstLayerBytes;
  CustomerCache cache(*store, kMaxCustomers, bound);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 10; ++i) {
      const int n = round * 10 + i;
      const std::string id = "c-" + std::to_string(n);
      MustLoad(cache, id) = RichState(n);
      ASSERT_TRUE(cache.MarkDirty(id));
    }
    CommitDirty(*store, cache);
    EXPECT_LE(cache.Size(), kMaxCustomers) << round;
    EXPECT_LE(cache.Bytes(), bound) << round;
  }
  EXPECT_GT(cache.Stats().evictions, 0u);
  EXPECT_GT(cache.PackedCount(), 0u);
  EXPECT_GE(cache.Size(), kMaxCustomers - kMaxCustomers / 8) << "a sweep drops an eighth at most";
  EXPECT_TRUE(cache.Contains("c-99")) << "the newest stay";
  EXPECT_TRUE(cache.Contains("c-80"));
  EXPECT_FALSE(cache.Contains("c-0")) << "the oldest leave first";
  for (int n : {0, 1, 50, 98, 99}) {
    EXPECT_EQ(MustLoad(cache, "c-" + std::to_string(n)), RichState(n)) << n;
  }
}

TEST(CustomerCacheTest, APackedStatePastTheEvictionCutoffReadsAsFresh) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 100, 4 * DecodedRichBytes());
  ASSERT_NO_FATAL_FAILURE(CommitRichStates(*store, cache, 6));
  ASSERT_GT(cache.PackedCount(), 0u);
  store->SetEvictionHorizon(kT0 + Duration::Days(1) + Duration::Millis(3));
  // c-0..c-2 were last active before the cutoff, c-3 exactly at it.
  for (int n = 0; n < 6; ++n) {
    const CustomerState& state = MustLoad(cache, "c-" + std::to_string(n));
    if (n < 3) {
      EXPECT_EQ(state, CustomerState{}) << n;
    } else {
      EXPECT_EQ(state, RichState(n)) << n;
    }
  }
}

TEST(CustomerCacheTest, ClearDropsPackedEntries) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 100, 4 * DecodedRichBytes());
  ASSERT_NO_FATAL_FAILURE(CommitRichStates(*store, cache, 6));
  ASSERT_GT(cache.PackedCount(), 0u);
  cache.Clear();
  EXPECT_EQ(cache.Size(), 0u);
  EXPECT_EQ(cache.PackedCount(), 0u);
  EXPECT_EQ(cache.Bytes(), 0u);
  EXPECT_EQ(MustLoad(cache, "c-1"), RichState(1)) << "read back from the store";
  EXPECT_EQ(cache.Stats().packed_hits, 0u);
}

TEST(CustomerCacheTest, ClearDropsDirtyEntries) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  CustomerCache cache(*store, 4);
  MustLoad(cache, "c-1").tier = Tier::kVip;
  ASSERT_TRUE(cache.MarkDirty("c-1"));
  cache.Clear();
  EXPECT_EQ(cache.Size(), 0u);
  EXPECT_EQ(cache.DirtyCount(), 0u);
  EXPECT_EQ(MustLoad(cache, "c-1"), CustomerState{});
}

}  // namespace
}  // namespace cx
