#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "schemas/decode_error.h"
#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// Internal to the decoder: the fields it reads, and the JSON value each carried.

enum class FieldId : uint8_t {
  kEventId,
  kCustomerId,
  kType,
  kAction,
  kTs,
  kTier,
  kChannel,
  kPage,
  kElement,
  kSessionId,
  kQuery,
  kResults,
  kStatus,
  kContactId,
  kQueue,
  kReason,
  kAgentId,
  kAuthor,
  kResolved,
  kHoldMs,
  kSurvey,
  kScore,
  kComment,
  kUnknown,
};
inline constexpr int kFieldCount = static_cast<int>(FieldId::kUnknown);

// The field's JSON name, as written in SPEC §1 (static storage).
std::string_view FieldName(FieldId id);
// The field named `key` (already unescaped), or kUnknown.
FieldId LookupField(std::string_view key);
// The field whose name is written at `raw` plainly (no escapes) and followed by the closing
// quote; kUnknown for any other key, which may still name a field with escapes (LookupField
// after unescaping tells). `raw` points just after a key's opening quote in a document that
// passed simdjson's stage 1, with SIMDJSON_PADDING readable bytes after it: 16 bytes from
// `raw` are read. Spares the decoder unescaping every key into simdjson's string buffer.
FieldId LookupPlainKey(const char* raw);

// The JSON shape of a value. Numbers are split by what an integer field can do with them:
// kInteger fits int64; kHugeInteger is mathematically an integer (1e20, 2^70) but does not;
// kFraction is not an integer (1.5). 5.0 and 5e0 are kInteger, as in JSON Schema.
enum class JsonKind : uint8_t {
  kString,
  kInteger,
  kHugeInteger,
  kFraction,
  kBool,
  kNull,
  kObject,
  kArray
};

struct FieldSlot {
  JsonKind kind = JsonKind::kNull;
  std::string_view text;  // kString: the unescaped value
  int64_t integer = 0;    // kInteger
  bool boolean = false;   // kBool
};

// The fields seen in one object: a bitmask of FieldIds and their values. Only slots whose bit
// is set are meaningful (they are not cleared between events).
struct FieldSlots {
  uint32_t seen = 0;
  std::array<FieldSlot, kFieldCount> slot;

  bool Has(FieldId id) const { return (seen >> static_cast<int>(id)) & 1u; }
  const FieldSlot& Get(FieldId id) const { return slot[static_cast<size_t>(id)]; }
};
static_assert(kFieldCount <= 32, "the seen mask is 32 bits");

// Turns the fields of a syntactically valid object into `out`, applying every rule of SPEC §1
// and §2 in the documented order. Returns kOk or the first failure (filling `why`).
[[nodiscard]] DecodeError BuildEvent(const FieldSlots& fields, EventTime not_after, Event& out,
                                     DecodeFailure& why);

}  // namespace cx
