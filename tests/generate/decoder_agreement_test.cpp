#include <gtest/gtest.h>

#include <set>
#include <string>

#include "generate/generator.h"
#include "schemas/decoder.h"

namespace cx {
namespace {

// The decoder's verdicts that fit each kind of generated bad line.
std::set<DecodeError> Expected(gen::InvalidKind kind) {
  using gen::InvalidKind;
  switch (kind) {
    case InvalidKind::kNotJson:
      return {DecodeError::kInvalidJson};
    case InvalidKind::kNotObject:
      return {DecodeError::kNotAnObject};
    case InvalidKind::kMissingField:
      return {DecodeError::kMissingField};
    case InvalidKind::kMistypedField:
      return {DecodeError::kWrongType, DecodeError::kBadTimestamp};
    case InvalidKind::kEmptyEventId:
      return {DecodeError::kInvalidValue};
    case InvalidKind::kUnknownType:
      return {DecodeError::kUnknownType};
    case InvalidKind::kUnknownAction:
      return {DecodeError::kUnknownAction};
    case InvalidKind::kUnknownSurvey:
      return {DecodeError::kUnknownSurvey};
    case InvalidKind::kOutOfRange:
      return {DecodeError::kScoreOutOfRange, DecodeError::kInvalidValue};
    case InvalidKind::kBadTimestamp:
      return {DecodeError::kBadTimestamp};
    case InvalidKind::kFutureTimestamp:
      return {DecodeError::kFutureTimestamp};
    case InvalidKind::kOversize:
      return {DecodeError::kTooLarge};
  }
  return {};
}

// The product's own decoder accepts every generated event, with the same ts, and rejects every
// generated bad line for the reason it was made for.
void CheckAgainstDecoder(const GeneratorOptions& options) {
  Generator generator(options);
  Decoder decoder;
  const EventTime not_after = EventTime::FromMillis(4'102'444'800'000);  // 2100-01-01
  std::string line;
  LineInfo info;
  uint64_t valid = 0, invalid = 0;
  while (generator.Next(line, info)) {
    Event event;
    DecodeFailure why;
    DecodeError error = decoder.Decode(line, not_after, event, why);
    if (info.kind == LineKind::kInvalid) {
      EXPECT_TRUE(Expected(info.invalid_kind).contains(error))
          << gen::InvalidKindName(info.invalid_kind) << " decoded as " << ToString(error) << ": "
          << line.substr(0, 300);
      ++invalid;
    } else {
      ASSERT_EQ(error, DecodeError::kOk) << why.Message() << ": " << line;
      EXPECT_EQ(event.ts, info.ts) << line;
      EXPECT_EQ(event.type, info.type) << line;
      ++valid;
    }
    line.clear();
  }
  EXPECT_GT(valid, 10'000u);
  EXPECT_GT(invalid, 100u);
}

TEST(DecoderAgreement, Rfc3339Timestamps) {
  GeneratorOptions o;
  o.customers = 3000;
  o.struggle_ratio = 0.5;
  o.duplicate_ratio = 0.02;
  o.invalid_ratio = 0.03;
  CheckAgainstDecoder(o);
}

TEST(DecoderAgreement, EpochMillisTimestamps) {
  GeneratorOptions o;
  o.customers = 3000;
  o.seed = 99;
  o.invalid_ratio = 0.03;
  o.epoch_millis_ts = true;
  CheckAgainstDecoder(o);
}

}  // namespace
}  // namespace cx
