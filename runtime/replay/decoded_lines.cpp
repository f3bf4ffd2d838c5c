#include "runtime/replay/decoded_lines.h"

namespace cx {
namespace {

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

DecodedLines::DecodedLines(LineReader& reader, size_t ahead) : reader_(reader) {
  ring_.reserve(ahead + 1);
  for (size_t i = 0; i <= ahead; ++i) {
    ring_.push_back(std::make_unique<Slot>());
  }
}

Result<bool> DecodedLines::ReadOne(EventTime not_after) {
  std::string_view text;
  for (;;) {
    Result<bool> next = reader_.Next(text);
    if (!next) {
      return next.error();
    }
    if (!*next) {
      return false;
    }
    if (!IsBlank(text)) {
      break;
    }
  }
  Slot& slot = *ring_[(head_ + count_) % ring_.size()];
  DecodedLine& line = slot.line;
  line.line_number = reader_.line_number();
  line.end_offset = reader_.offset();
  line.ok = slot.decoder.Decode(text, not_after, line.event, line.why) == DecodeError::kOk;
  if (line.ok) {
    line.text.clear();
  } else {
    line.text.assign(text);
  }
  ++count_;
  return true;
}

Result<const DecodedLine*> DecodedLines::Next(EventTime not_after) {
  if (returned_) {
    head_ = (head_ + 1) % ring_.size();
    --count_;
    returned_ = false;
  }
  while (!at_end_ && count_ < ring_.size()) {
    Result<bool> read = ReadOne(not_after);
    if (!read) {
      return read.error();
    }
    at_end_ = !*read;
  }
  if (count_ == 0) {
    return static_cast<const DecodedLine*>(nullptr);
  }
  returned_ = true;
  return &ring_[head_]->line;
}

const DecodedLine* DecodedLines::Peek(size_t distance) const {
  if (!returned_ || distance == 0 || distance >= count_) {
    return nullptr;
  }
  return &ring_[(head_ + distance) % ring_.size()]->line;
}

}  // namespace cx
