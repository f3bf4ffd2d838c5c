#include "bench/padded_lines.h"

#include <cerrno>
#include <cstring>

namespace cx {
namespace {

constexpr size_t kChunk = size_t{4} << 20;

}  // namespace

std::unique_ptr<PaddedLines> PaddedLines::Open(const std::string& path, std::string& error) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<PaddedLines>(new PaddedLines(file));
}

PaddedLines::PaddedLines(FILE* file)
    : file_(file), buffer_(new char[2 * kChunk + kPadding]), capacity_(2 * kChunk) {
  std::memset(buffer_.get(), 0, capacity_ + kPadding);
}

PaddedLines::~PaddedLines() { std::fclose(file_); }

bool PaddedLines::Fill() {
  if (eof_) {
    return false;
  }
  std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  if (capacity_ - end_ < kChunk) {
    std::unique_ptr<char[]> bigger(new char[2 * capacity_ + kPadding]);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
  }
  const size_t n = std::fread(buffer_.get() + end_, 1, capacity_ - end_, file_);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  bytes_read_ += n;
  std::memset(buffer_.get() + end_, 0, kPadding);
  return true;
}

bool PaddedLines::Next(std::string_view& line) {
  size_t scanned = begin_;
  for (;;) {
    const void* nl = std::memchr(buffer_.get() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const size_t pos = static_cast<const char*>(nl) - buffer_.get();
      line = std::string_view(buffer_.get() + begin_, pos - begin_);
      begin_ = pos + 1;
      return true;
    }
    const size_t consumed = end_ - begin_;
    if (!Fill()) {
      if (end_ > begin_) {
        line = std::string_view(buffer_.get() + begin_, end_ - begin_);
        begin_ = end_;
        return true;
      }
      return false;
    }
    scanned = begin_ + consumed;
  }
}

}  // namespace cx
