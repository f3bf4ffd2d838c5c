#include "runtime/replay/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "runtime/config/memory_limit.h"

namespace cx {
namespace {

constexpr size_t kReadChunk = 1 << 20;
// Alignment of a direct read's buffer, file offset and length: a page, a multiple of every
// block size Linux filesystems use.
constexpr size_t kDirectAlignment = 4096;

size_t AlignUp(size_t n) {
  return (n + kDirectAlignment - 1) / kDirectAlignment * kDirectAlignment;
}

// Whether a regular file of `size` bytes is larger than a quarter of the memory this process
// can use (the machine's, or its cgroup's limit, which counts the page cache it fills).
bool LargerThanTheCacheKeeps(uint64_t size) {
  const uint64_t memory = AvailableMemoryBytes();
  return memory > 0 && size > memory / 4;
}

// Opens `path` past the page cache, or returns -1 (the filesystem refuses O_DIRECT, or the
// file is not a regular one).
int OpenDirect(const std::string& path, InputCaching caching, uint64_t size, bool regular) {
  if (!regular || caching == InputCaching::kUse ||
      (caching == InputCaching::kAuto && !LargerThanTheCacheKeeps(size))) {
    return -1;
  }
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
}

}  // namespace

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path,
                                                     InputCaching caching) {
  if (path == "-") {
    return std::unique_ptr<LineReader>(new LineReader(STDIN_FILENO, false, false));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Err("cannot open input " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  const int direct = OpenDirect(path, caching, static_cast<uint64_t>(info.st_size), regular);
  if (direct >= 0) {
    ::close(fd);
    return std::unique_ptr<LineReader>(new LineReader(direct, true, true));
  }
  return std::unique_ptr<LineReader>(new LineReader(fd, true, false));
}

LineReader::LineReader(int fd, bool owned, bool direct)
    : fd_(fd),
      owned_(owned),
      direct_(direct),
      buffer_(static_cast<char*>(std::aligned_alloc(kDirectAlignment, 2 * kReadChunk))),
      capacity_(2 * kReadChunk) {
  if (buffer_ == nullptr) {
    throw std::bad_alloc();
  }
}

LineReader::~LineReader() {
  if (owned_) {
    ::close(fd_);
  }
}

Result<void> LineReader::SkipTo(uint64_t offset, uint64_t line) {
  // A direct read starts at an aligned offset: from there, the bytes before `offset` are
  // dropped once read.
  const uint64_t start = direct_ ? offset / kDirectAlignment * kDirectAlignment : offset;
  if (!owned_ || ::lseek(fd_, static_cast<off_t>(start), SEEK_SET) < 0) {
    return Err(std::string("cannot seek in the input: ") +
               (owned_ ? std::strerror(errno) : "standard input"));
  }
  begin_ = end_ = 0;
  skip_ = static_cast<size_t>(offset - start);
  eof_ = false;
  bytes_read_ = start;
  line_number_ = line;
  return Ok();
}

Result<bool> LineReader::Fill() {
  if (eof_) {
    return false;
  }
  // The unread bytes move to the front; for a direct read, to just before an aligned end.
  const size_t unread = end_ - begin_;
  const size_t front = direct_ ? AlignUp(unread) - unread : 0;
  if (begin_ != front) {
    std::memmove(buffer_.get() + front, buffer_.get() + begin_, unread);
    begin_ = front;
    end_ = front + unread;
  }
  if (capacity_ - end_ < kReadChunk) {
    Buffer larger(static_cast<char*>(std::aligned_alloc(kDirectAlignment, 2 * capacity_)));
    if (larger == nullptr) {
      throw std::bad_alloc();
    }
    std::memcpy(larger.get() + begin_, buffer_.get() + begin_, unread);
    buffer_ = std::move(larger);
    capacity_ *= 2;
  }
  // A direct read's length is a multiple of the alignment; it returns less only at the end of
  // the file.
  const size_t want =
      direct_ ? (capacity_ - end_) / kDirectAlignment * kDirectAlignment : capacity_ - end_;
  // read(2), not fread: a thread blocked reading an idle pipe must not hold the FILE's lock,
  // which exit() takes to flush the streams (DecodedLines leaves such a thread behind).
  ssize_t n = 0;
  do {
    n = ::read(fd_, buffer_.get() + end_, want);
    if (n < 0 && errno == EINVAL && direct_) {
      // A filesystem that accepted O_DIRECT at open but not for reads (some overlay mounts):
      // read through the page cache from here (the offset is where the last read ended).
      direct_ = false;
      const int flags = ::fcntl(fd_, F_GETFL);
      if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) < 0) {
        break;
      }
      errno = EINTR;
    }
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
  if (skip_ > 0) {
    const size_t skipped = std::min(skip_, end_ - begin_);
    begin_ += skipped;
    skip_ -= skipped;
  }
  return true;
}

void LineReader::TakeLine(size_t newline, std::string_view& line) {
  size_t len = newline - begin_;
  if (len > 0 && buffer_[newline - 1] == '\r') {
    --len;
  }
  line = std::string_view(buffer_.get() + begin_, len);
  begin_ = newline + 1;
  ++line_number_;
}

bool LineReader::NextBuffered(std::string_view& line) {
  const void* nl = std::memchr(buffer_.get() + begin_, '\n', end_ - begin_);
  if (nl == nullptr) {
    return false;
  }
  TakeLine(static_cast<const char*>(nl) - buffer_.get(), line);
  return true;
}

Result<bool> LineReader::Next(std::string_view& line) {
  size_t scanned = 0;  // unread bytes already searched for "\n"
  for (;;) {
    const void* nl = std::memchr(buffer_.get() + begin_ + scanned, '\n', end_ - begin_ - scanned);
    if (nl != nullptr) {
      TakeLine(static_cast<const char*>(nl) - buffer_.get(), line);
      return true;
    }
    scanned = end_ - begin_;
    Result<bool> filled = Fill();
    if (!filled) {
      return filled;
    }
    if (!*filled) {
      if (end_ > begin_) {
        line = std::string_view(buffer_.get() + begin_, end_ - begin_);
        if (!line.empty() && line.back() == '\r') {
          line.remove_suffix(1);
        }
        begin_ = end_;
        ++line_number_;
        return true;
      }
      return false;
    }
  }
}

}  // namespace cx
