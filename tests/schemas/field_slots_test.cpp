// The decoder's key lookups: LookupPlainKey (raw key bytes) agrees with LookupField (unescaped
// key) on every field name, and names no field for anything else.
#include "schemas/field_slots.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace cx {
namespace {

// `key`'s raw bytes as simdjson leaves them: after the opening quote, then the rest of the
// document and readable padding.
std::string Raw(std::string_view key, std::string_view after = "\":1}") {
  std::string raw(key);
  raw += after;
  raw.append(64, '\0');
  return raw;
}

TEST(FieldSlots, EveryFieldNameIsFoundFromItsRawBytesAndUnescaped) {
  for (int i = 0; i < kFieldCount; ++i) {
    const auto id = static_cast<FieldId>(i);
    const std::string_view name = FieldName(id);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(LookupField(name), id) << name;
    EXPECT_EQ(LookupPlainKey(Raw(name).c_str()), id) << name;
    // Whatever follows the key's closing quote.
    EXPECT_EQ(LookupPlainKey(Raw(name, "\" : \"xxxxxxxxxxxxxxxxx\"}").c_str()), id) << name;
  }
}

TEST(FieldSlots, KeysThatAreNotAFieldNameWrittenPlainlyAreUnknownFromTheirRawBytes) {
  for (int i = 0; i < kFieldCount; ++i) {
    const std::string name(FieldName(static_cast<FieldId>(i)));
    for (const std::string& other :
         {name + "x", name + "_", name.substr(0, name.size() - 1), "x" + name,
          "\\u00" + std::string(1, name[0]) + name.substr(1), name + "\\\"",
          std::string(1, static_cast<char>(name[0] - 'a' + 'A')) + name.substr(1)}) {
      EXPECT_EQ(LookupPlainKey(Raw(other).c_str()), FieldId::kUnknown) << other;
    }
  }
  EXPECT_EQ(LookupPlainKey(Raw("").c_str()), FieldId::kUnknown);
  EXPECT_EQ(LookupPlainKey(Raw("timestamp").c_str()), FieldId::kUnknown);
}

}  // namespace
}  // namespace cx
