#include "schemas/decoder.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <utility>

#include "schemas/field_slots.h"

namespace cx {

static_assert(kDecoderPadding >= simdjson::SIMDJSON_PADDING);

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

constexpr double kTwoPow63 = 9223372036854775808.0;

// Validates any JSON value completely (on-demand alone would skip over it unchecked).
error_code SkipValue(od::value value, int depth);

error_code SkipObject(od::object object, int depth) {
  for (auto maybe_field : object) {
    od::field field;
    if (auto e = std::move(maybe_field).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (auto e = SkipValue(field.value(), depth + 1)) return e;
  }
  return simdjson::SUCCESS;
}

error_code SkipArray(od::array array, int depth) {
  for (auto maybe_element : array) {
    od::value element;
    // get() is &&-qualified: the move is needed although the result is trivially copyable.
    // NOLINTNEXTLINE(performance-move-const-arg)
    if (auto e = std::move(maybe_element).get(element)) return e;
    if (auto e = SkipValue(element, depth + 1)) return e;
  }
  return simdjson::SUCCESS;
}

error_code SkipValue(od::value value, int depth) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::object: {
      if (depth >= kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      od::object object;
      if (auto e = value.get_object().get(object)) return e;
      return SkipObject(object, depth);
    }
    case od::json_type::array: {
      if (depth >= kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      od::array array;
      if (auto e = value.get_array().get(array)) return e;
      return SkipArray(array, depth);
    }
    case od::json_type::string: {
      std::string_view s;
      return value.get_string().get(s);
    }
    case od::json_type::number: {
      double d;
      return value.get_double().get(d);
    }
    case od::json_type::boolean: {
      bool b;
      return value.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

error_code ReadNumber(od::value value, FieldSlot& slot) {
  int64_t i = 0;
  const error_code as_int = value.get_int64().get(i);
  if (as_int == simdjson::SUCCESS) {
    slot.kind = JsonKind::kInteger;
    slot.integer = i;
    return simdjson::SUCCESS;
  }
  double d = 0;
  if (auto e = value.get_double().get(d)) return e;
  if (!std::isfinite(d) || std::trunc(d) != d) {
    slot.kind = JsonKind::kFraction;
  } else if (d >= -kTwoPow63 && d < kTwoPow63) {
    slot.kind = JsonKind::kInteger;
    slot.integer = static_cast<int64_t>(d);
  } else {
    slot.kind = JsonKind::kHugeInteger;
  }
  return simdjson::SUCCESS;
}

// Reads a known field's value into `slot`, whatever its JSON type; validates it fully.
error_code ReadValue(od::value value, FieldSlot& slot) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case od::json_type::string:
      slot.kind = JsonKind::kString;
      return value.get_string().get(slot.text);
    case od::json_type::number:
      return ReadNumber(value, slot);
    case od::json_type::boolean:
      slot.kind = JsonKind::kBool;
      return value.get_bool().get(slot.boolean);
    case od::json_type::null:
      slot.kind = JsonKind::kNull;
      return SkipValue(value, 1);
    case od::json_type::object:
      slot.kind = JsonKind::kObject;
      return SkipValue(value, 1);
    case od::json_type::array:
      slot.kind = JsonKind::kArray;
      return SkipValue(value, 1);
  }
  return simdjson::TAPE_ERROR;
}

// Validates a document whose root is not an object, so that "[1," is told from "[1]".
error_code SkipNonObjectRoot(od::document& doc, od::json_type type) {
  switch (type) {
    case od::json_type::array: {
      od::array array;
      if (auto e = doc.get_array().get(array)) return e;
      return SkipArray(array, 1);
    }
    case od::json_type::string: {
      std::string_view s;
      return doc.get_string().get(s);
    }
    case od::json_type::number: {
      double d;
      return doc.get_double().get(d);
    }
    case od::json_type::boolean: {
      bool b;
      return doc.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = doc.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case od::json_type::object:
      break;
  }
  return simdjson::TAPE_ERROR;
}

std::string_view JsonErrorDetail(error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "not valid UTF-8";
    case simdjson::UNESCAPED_CHARS:
      return "unescaped control character in a string";
    case simdjson::STRING_ERROR:
      return "bad string escape";
    case simdjson::DEPTH_ERROR:
      return "nested too deeply";
    case simdjson::EMPTY:
      return "empty input";
    case simdjson::TRAILING_CONTENT:
      return "trailing bytes after the value";
    default:
      return "syntax error";
  }
}

DecodeError Fail(DecodeFailure& why, DecodeError error, std::string_view detail) {
  why.error = error;
  why.field = {};
  why.detail = detail;
  return error;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// After the root value was consumed, only whitespace may remain.
bool AtEnd(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

struct Decoder::Impl {
  od::parser parser{kMaxEventBytes};
  std::unique_ptr<char[]> buffer{new char[kMaxEventBytes + kDecoderPadding]};
  FieldSlots fields;

  Impl() {
    std::memset(buffer.get(), 0, kMaxEventBytes + kDecoderPadding);
    if (parser.allocate(kMaxEventBytes) != simdjson::SUCCESS) std::abort();
  }

  // Copies `size` (<= kMaxEventBytes) bytes into `buffer` and zeroes the padding after them.
  const char* CopyIn(const char* data, size_t size) {
    if (size > 0) std::memcpy(buffer.get(), data, size);
    std::memset(buffer.get() + size, 0, kDecoderPadding);
    return buffer.get();
  }
  // `clean_padding`: the kDecoderPadding bytes after data[size] are zero.
  DecodeError Run(const char* data, size_t size, EventTime not_after, Event& out,
                  DecodeFailure& why, bool clean_padding = false);
  error_code ReadFields(od::object object, DecodeFailure& why);
};

error_code Decoder::Impl::ReadFields(od::object object, DecodeFailure& why) {
  fields.seen = 0;
  for (auto maybe_field : object) {
    od::field field;
    if (auto e = std::move(maybe_field).get(field)) return e;
    FieldId id = LookupPlainKey(field.key().raw());
    if (id == FieldId::kUnknown) {
      // Not a field's name written plainly: unescape it (which validates its escapes) and
      // look again.
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      id = LookupField(key);
    }
    if (id == FieldId::kUnknown) {
      if (auto e = SkipValue(field.value(), 1)) return e;
      continue;
    }
    const uint32_t bit = 1u << static_cast<int>(id);
    if ((fields.seen & bit) != 0) {
      if (why.error == DecodeError::kOk) {
        why.error = DecodeError::kDuplicateField;
        why.field = FieldName(id);
      }
      if (auto e = SkipValue(field.value(), 1)) return e;
      continue;
    }
    fields.seen |= bit;
    if (auto e = ReadValue(field.value(), fields.slot[static_cast<size_t>(id)])) return e;
  }
  return simdjson::SUCCESS;
}

DecodeError Decoder::Impl::Run(const char* data, size_t size, EventTime not_after, Event& out,
                               DecodeFailure& why, bool clean_padding) {
  why = DecodeFailure{};
  // simdjson 3.0 misreads a root `null` followed by whitespace; trailing whitespace is
  // insignificant anyway.
  while (size > 0 && IsJsonWhitespace(data[size - 1])) --size;
  od::document doc;
  if (auto e = parser.iterate(data, size, size + kDecoderPadding).get(doc)) {
    return Fail(why, DecodeError::kInvalidJson, JsonErrorDetail(e));
  }
  od::json_type type;
  if (auto e = doc.type().get(type))
    return Fail(why, DecodeError::kInvalidJson, JsonErrorDetail(e));
  if (type != od::json_type::object) {
    // simdjson 3.0 reads a root atom's terminator from the padding, so a rejected non-object
    // root is re-read from this Decoder's buffer with zeroed padding, and atoms are compared
    // by hand.
    if (!clean_padding) return Run(CopyIn(data, size), size, not_after, out, why, true);
    if (type == od::json_type::null || type == od::json_type::boolean) {
      size_t start = 0;
      while (start < size && IsJsonWhitespace(data[start])) ++start;
      const std::string_view atom(data + start, size - start);
      if (atom == "null" || atom == "true" || atom == "false") {
        return Fail(why, DecodeError::kNotAnObject, {});
      }
      return Fail(why, DecodeError::kInvalidJson, "syntax error");
    }
    if (auto e = SkipNonObjectRoot(doc, type)) {
      return Fail(why, DecodeError::kInvalidJson, JsonErrorDetail(e));
    }
    if (!AtEnd(doc)) return Fail(why, DecodeError::kInvalidJson, "trailing bytes after the value");
    return Fail(why, DecodeError::kNotAnObject, {});
  }
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    return Fail(why, DecodeError::kInvalidJson, JsonErrorDetail(e));
  }
  if (auto e = ReadFields(object, why))
    return Fail(why, DecodeError::kInvalidJson, JsonErrorDetail(e));
  if (!AtEnd(doc)) return Fail(why, DecodeError::kInvalidJson, "trailing bytes after the object");
  if (why.error != DecodeError::kOk) return why.error;
  return BuildEvent(fields, not_after, out, why);
}

Decoder::Decoder() : impl_(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;

DecodeError Decoder::Decode(std::string_view bytes, EventTime not_after, Event& out,
                            DecodeFailure& why) {
  if (bytes.size() > kMaxEventBytes) {
    why = DecodeFailure{};
    return Fail(why, DecodeError::kTooLarge, {});
  }
  return impl_->Run(impl_->CopyIn(bytes.data(), bytes.size()), bytes.size(), not_after, out, why);
}

DecodeError Decoder::DecodePadded(std::string_view bytes, EventTime not_after, Event& out,
                                  DecodeFailure& why) {
  if (bytes.size() > kMaxEventBytes) {
    why = DecodeFailure{};
    return Fail(why, DecodeError::kTooLarge, {});
  }
  return impl_->Run(bytes.data(), bytes.size(), not_after, out, why);
}

}  // namespace cx
