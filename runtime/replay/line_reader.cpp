#include "runtime/replay/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cx {
namespace {

constexpr size_t kReadChunk = 1 << 20;

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<LineReader>(new LineReader(stdin, false));
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Err("cannot open input " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<LineReader>(new LineReader(file, true));
}

LineReader::LineReader(FILE* file, bool owned) : file_(file), owned_(owned) {
  buffer_.resize(2 * kReadChunk);
}

LineReader::~LineReader() {
  if (owned_) {
    std::fclose(file_);
  }
}

Result<void> LineReader::SkipTo(uint64_t offset, uint64_t line) {
  if (!owned_ || ::lseek(::fileno(file_), static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Err(std::string("cannot seek in the input: ") +
               (owned_ ? std::strerror(errno) : "standard input"));
  }
  begin_ = end_ = 0;
  eof_ = false;
  bytes_read_ = offset;
  line_number_ = line;
  return Ok();
}

Result<bool> LineReader::Fill() {
  if (eof_) {
    return false;
  }
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() - end_ < kReadChunk) {
    buffer_.resize(buffer_.size() * 2);
  }
  // read(2), not fread: a thread blocked reading an idle pipe must not hold the FILE's lock,
  // which exit() takes to flush the streams (DecodedLines leaves such a thread behind).
  ssize_t n = 0;
  do {
    n = ::read(::fileno(file_), buffer_.data() + end_, buffer_.size() - end_);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    eof_ = true;
    if (n < 0) {
      return Err(std::string("read error: ") + std::strerror(errno));
    }
    return false;
  }
  end_ += static_cast<size_t>(n);
  bytes_read_ += static_cast<uint64_t>(n);
  return true;
}

void LineReader::TakeLine(size_t newline, std::string_view& line) {
  size_t len = newline - begin_;
  if (len > 0 && buffer_[newline - 1] == '\r') {
    --len;
  }
  line = std::string_view(buffer_.data() + begin_, len);
  begin_ = newline + 1;
  ++line_number_;
}

bool LineReader::NextBuffered(std::string_view& line) {
  const void* nl = std::memchr(buffer_.data() + begin_, '\n', end_ - begin_);
  if (nl == nullptr) {
    return false;
  }
  TakeLine(static_cast<const char*>(nl) - buffer_.data(), line);
  return true;
}

Result<bool> LineReader::Next(std::string_view& line) {
  size_t scanned = begin_;
  for (;;) {
    const void* nl = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      TakeLine(static_cast<const char*>(nl) - buffer_.data(), line);
      return true;
    }
    size_t consumed = end_ - begin_;
    Result<bool> filled = Fill();
    if (!filled) {
      return filled;
    }
    if (!*filled) {
      if (end_ > begin_) {
        line = std::string_view(buffer_.data() + begin_, end_ - begin_);
        if (!line.empty() && line.back() == '\r') {
          line.remove_suffix(1);
        }
        begin_ = end_;
        ++line_number_;
        return true;
      }
      return false;
    }
    scanned = begin_ + consumed;
  }
}

}  // namespace cx
