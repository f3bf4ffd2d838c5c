#include "schemas/field_slots.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace cx {

namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "customer_id", "type",     "action",  "ts",     "tier",       "channel", "page",
    "element",  "session_id",  "query",    "results", "status", "contact_id", "queue",   "reason",
    "agent_id", "author",      "resolved", "hold_ms", "survey", "score",      "comment",
};

// A field's name and its closing quote as the bytes of two little-endian words, and which of
// their bytes the name covers: a key at `raw` is the name when the 16 bytes there agree with
// it under the masks (every name is at most 15 bytes: the static_assert below).
struct PlainKey {
  uint64_t word[2] = {0, 0};
  uint64_t mask[2] = {0, 0};
};

constexpr PlainKey MakePlainKey(std::string_view name) {
  PlainKey key;
  for (size_t i = 0; i <= name.size(); ++i) {
    const uint64_t byte = i < name.size() ? static_cast<unsigned char>(name[i]) : '"';
    key.word[i / 8] |= byte << (8 * (i % 8));
    key.mask[i / 8] |= uint64_t{0xFF} << (8 * (i % 8));
  }
  return key;
}

constexpr std::array<PlainKey, kFieldCount> kPlainKeys = [] {
  std::array<PlainKey, kFieldCount> keys{};
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = MakePlainKey(kFieldNames[i]);
  return keys;
}();
static_assert(std::all_of(kFieldNames.begin(), kFieldNames.end(),
                          [](std::string_view name) { return name.size() < 16; }));

// The 16 bytes at `raw` as two little-endian words (whatever the host's byte order).
std::array<uint64_t, 2> LoadKeyWords(const char* raw) {
  std::array<uint64_t, 2> words{};
  std::memcpy(words.data(), raw, sizeof(words));
  if constexpr (std::endian::native == std::endian::big) {
    for (uint64_t& w : words) w = __builtin_bswap64(w);
  }
  return words;
}

// Whether `words` (LoadKeyWords) hold `id`'s name and closing quote.
bool HoldsPlainKey(const std::array<uint64_t, 2>& words, FieldId id) {
  const PlainKey& key = kPlainKeys[static_cast<size_t>(id)];
  return (((words[0] & key.mask[0]) ^ key.word[0]) | ((words[1] & key.mask[1]) ^ key.word[1])) == 0;
}

// The first of `ids` whose plain key `words` hold, or kUnknown (a fold over ||: unrolled at
// compile time, no loop over a list).
template <FieldId... ids>
FieldId PickPlainKey(const std::array<uint64_t, 2>& words) {
  FieldId found = FieldId::kUnknown;
  static_cast<void>(((HoldsPlainKey(words, ids) && (found = ids, true)) || ...));
  return found;
}

}  // namespace

std::string_view FieldName(FieldId id) {
  const auto index = static_cast<size_t>(id);
  return index < kFieldNames.size() ? kFieldNames[index] : std::string_view{};
}

FieldId LookupField(std::string_view key) {
  // Candidates by length keep this to one or two comparisons per key.
  auto pick = [key](std::initializer_list<FieldId> ids) {
    for (FieldId id : ids) {
      if (kFieldNames[static_cast<size_t>(id)] == key) return id;
    }
    return FieldId::kUnknown;
  };
  switch (key.size()) {
    case 2:
      return pick({FieldId::kTs});
    case 4:
      return pick({FieldId::kType, FieldId::kPage, FieldId::kTier});
    case 5:
      return pick({FieldId::kQuery, FieldId::kQueue, FieldId::kScore});
    case 6:
      return pick({FieldId::kAction, FieldId::kReason, FieldId::kStatus, FieldId::kAuthor,
                   FieldId::kSurvey});
    case 7:
      return pick({FieldId::kElement, FieldId::kResults, FieldId::kChannel, FieldId::kHoldMs,
                   FieldId::kComment});
    case 8:
      return pick({FieldId::kEventId, FieldId::kAgentId, FieldId::kResolved});
    case 10:
      return pick({FieldId::kSessionId, FieldId::kContactId});
    case 11:
      return pick({FieldId::kCustomerId});
    default:
      return FieldId::kUnknown;
  }
}

FieldId LookupPlainKey(const char* raw) {
  using F = FieldId;
  const std::array<uint64_t, 2> words = LoadKeyWords(raw);
  // Candidates by first letter: one to four masked comparisons of two words per key.
  switch (raw[0]) {
    case 'a':
      return PickPlainKey<F::kAction, F::kAgentId, F::kAuthor>(words);
    case 'c':
      return PickPlainKey<F::kCustomerId, F::kChannel, F::kContactId, F::kComment>(words);
    case 'e':
      return PickPlainKey<F::kEventId, F::kElement>(words);
    case 'h':
      return PickPlainKey<F::kHoldMs>(words);
    case 'p':
      return PickPlainKey<F::kPage>(words);
    case 'q':
      return PickPlainKey<F::kQuery, F::kQueue>(words);
    case 'r':
      return PickPlainKey<F::kResults, F::kReason, F::kResolved>(words);
    case 's':
      return PickPlainKey<F::kSessionId, F::kStatus, F::kSurvey, F::kScore>(words);
    case 't':
      return PickPlainKey<F::kType, F::kTs, F::kTier>(words);
    default:
      return F::kUnknown;
  }
}

}  // namespace cx
